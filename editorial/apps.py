from django.apps import AppConfig


class EditorialConfig(AppConfig):
    name = "editorial"
    verbose_name = "Editorial"

    def ready(self):
        from editorial import signals
        from sources.signals import revision_added

        revision_added.connect(signals.reanchor_on_revision_added, dispatch_uid="editorial.reanchor_citations")

        # import_sources reads the claim-set JSON too (DESIGN: "the project's own claim-set JSON");
        # registered from here so that the sources app never imports editorial code.
        from editorial.claimset_io import import_sources_bundle
        from sources.importers import register_bundle_format

        register_bundle_format("claimset", [".json"], import_sources_bundle)
