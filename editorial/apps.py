from django.apps import AppConfig


class EditorialConfig(AppConfig):
    name = "editorial"
    verbose_name = "Editorial"

    @staticmethod
    def unmoderated_public_models():
        """Models whose rows public pages show as stored: sources and their parts, speakers, sets, relations, tags."""
        from taggit.models import Tag

        from editorial.models import ClaimRelation, ClaimSet, ClaimSetMembership, Speaker
        from sources.models import Author, Byline, Publisher, Revision, Source

        return (Source, Revision, Publisher, Author, Byline, Speaker, ClaimSet, ClaimSetMembership, ClaimRelation, Tag)

    def ready(self):
        from django.db.models.signals import post_migrate

        from editorial import signals
        from sources.signals import revision_added

        revision_added.connect(signals.reanchor_on_revision_added, dispatch_uid="editorial.reanchor_citations")
        # Every captured revision gets its suggested claims computed in the background (issue #15).
        from django.db.models.signals import post_save

        from sources.models import Revision

        post_save.connect(
            signals.suggest_on_revision_captured, sender=Revision, dispatch_uid="editorial.suggest_claims"
        )
        # Joining Editors or Moderators makes a user staff, so that they can log in to the admin.
        from django.contrib.auth import get_user_model
        from django.db.models.signals import m2m_changed

        m2m_changed.connect(
            signals.make_desk_members_staff,
            sender=get_user_model().groups.through,
            dispatch_uid="editorial.make_desk_members_staff",
        )
        # Every moderation act rewrites the claim's entry in the public read model, in its transaction.
        from editorial.public import readmodel
        from editorial.services.moderation import moderated

        moderated.connect(readmodel.on_moderated, dispatch_uid="editorial.public_read_model")
        # What public pages show unmoderated advances the public record's version too (ETags, caches).
        from django.db.models.signals import post_delete, post_save

        for model in self.unmoderated_public_models():
            for signal in (post_save, post_delete):
                signal.connect(readmodel.bump, sender=model, dispatch_uid=f"editorial.bump.{model._meta.label}")
        # The counters follow deleted claims and sources that change publisher.
        from django.db.models.signals import pre_delete, pre_save

        from editorial.models import Claim
        from sources.models import Source

        pre_delete.connect(readmodel.forget, sender=Claim, dispatch_uid="editorial.forget_public_entry")
        pre_save.connect(readmodel.source_saving, sender=Source, dispatch_uid="editorial.source_publisher_before")
        post_save.connect(readmodel.source_saved, sender=Source, dispatch_uid="editorial.source_publisher_after")
        # SQLite's full-text table and its triggers, remade after any migration that rebuilt the table.
        from editorial.public.search import ensure_sqlite_index

        post_migrate.connect(ensure_sqlite_index, sender=self, dispatch_uid="editorial.sqlite_search_index")
        # And the claims' word index, which finds similar claims on SQLite (issue #16).
        from editorial.similarity.sqlite import ensure_sqlite_index as ensure_sqlite_words

        post_migrate.connect(ensure_sqlite_words, sender=self, dispatch_uid="editorial.sqlite_claim_words")
        # A plain `migrate` makes the database cache's table too (the API's throttle counts in it).
        post_migrate.connect(signals.create_cache_table, sender=self, dispatch_uid="editorial.create_cache_table")

        # import_sources reads the project's own claim-set JSON too (the format export_claims writes);
        # registered from here so that the sources app never imports editorial code.
        from editorial.claimset import check_sources_bundle, import_sources_bundle
        from sources.importers import register_bundle_format

        register_bundle_format("claimset", [".json"], import_sources_bundle, check=check_sources_bundle)
