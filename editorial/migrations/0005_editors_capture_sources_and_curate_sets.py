"""Let editors capture sources and curate claim sets.

Editors capture source documents (import, fix metadata, order bylines) and build claim sets, so the
Editors group gets add/change on those models; Moderators get the same plus deleting sources,
publishers and authors (a source with cited revisions still cannot be deleted: PROTECT).
Revisions stay view-only for everyone: they are immutable and only the importer creates them.
"""

from django.contrib.auth.management import create_permissions
from django.db import migrations

EDITOR_PERMISSIONS = [
    ("sources", "source", ["add", "change"]),
    ("sources", "publisher", ["add", "change"]),
    ("sources", "author", ["add", "change"]),
    ("sources", "byline", ["add", "change", "delete"]),
    ("editorial", "claimset", ["add", "change", "view"]),
    ("editorial", "claimsetmembership", ["add", "change", "view", "delete"]),
]
MODERATOR_PERMISSIONS = EDITOR_PERMISSIONS + [
    ("sources", "source", ["delete"]),
    ("sources", "publisher", ["delete"]),
    ("sources", "author", ["delete"]),
    ("editorial", "claimset", ["delete"]),
]
GROUPS = {"Editors": EDITOR_PERMISSIONS, "Moderators": MODERATOR_PERMISSIONS}


def codenames(model_permissions):
    for app_label, model, actions in model_permissions:
        for action in actions:
            yield app_label, f"{action}_{model}"


def grant(apps, schema_editor):
    alias = schema_editor.connection.alias
    for app_label in ("sources", "editorial"):
        app_config = apps.get_app_config(app_label)
        app_config.models_module = True  # see 0002: historical app configs lack a models module
        create_permissions(app_config, verbosity=0, apps=apps, using=alias)
        app_config.models_module = None
    Group = apps.get_model("auth", "Group")
    Permission = apps.get_model("auth", "Permission")
    for name, model_permissions in GROUPS.items():
        group, _ = Group.objects.using(alias).get_or_create(name=name)
        for app_label, codename in codenames(model_permissions):
            group.permissions.add(
                Permission.objects.using(alias).get(content_type__app_label=app_label, codename=codename)
            )


def revoke(apps, schema_editor):
    alias = schema_editor.connection.alias
    Group = apps.get_model("auth", "Group")
    Permission = apps.get_model("auth", "Permission")
    for name, model_permissions in GROUPS.items():
        group = Group.objects.using(alias).filter(name=name).first()
        if group is None:
            continue
        for app_label, codename in codenames(model_permissions):
            group.permissions.remove(
                *Permission.objects.using(alias).filter(content_type__app_label=app_label, codename=codename)
            )


class Migration(migrations.Migration):
    dependencies = [
        ("editorial", "0004_claim_sets"),
        ("sources", "0001_initial"),
        ("auth", "0012_alter_user_first_name_max_length"),
        ("contenttypes", "0002_remove_content_type_name"),
    ]

    operations = [migrations.RunPython(grant, revoke)]
