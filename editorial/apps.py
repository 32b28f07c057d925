from django.apps import AppConfig


class EditorialConfig(AppConfig):
    name = "editorial"
    verbose_name = "Editorial"

    def ready(self):
        from editorial import signals
        from sources.signals import revision_added

        revision_added.connect(signals.reanchor_on_revision_added, dispatch_uid="editorial.reanchor_citations")
