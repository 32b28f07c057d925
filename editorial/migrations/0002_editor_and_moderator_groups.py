"""Create the Editors and Moderators groups with their permissions.

On a fresh database the permissions do not exist yet while ``migrate`` runs (Django creates them in
``post_migrate``), so this migration creates the content types and permissions of the apps it needs
first, from the historical models. Running it again only adds what is missing.
"""

from django.contrib.auth.management import create_permissions
from django.db import migrations

EDITOR_PERMISSIONS = [
    ("editorial", "speaker", ["add", "change", "view"]),
    ("editorial", "claim", ["add", "change", "view", "delete"]),  # delete: own drafts only (Claim.can_delete)
    ("editorial", "citation", ["add", "change", "view", "delete"]),
    ("editorial", "claimrelation", ["add", "change", "view", "delete"]),
    ("editorial", "moderationevent", ["view"]),
    ("editorial", "historicalclaim", ["view"]),
    ("editorial", "historicalcitation", ["view"]),
    ("sources", "source", ["view"]),
    ("sources", "revision", ["view"]),
    ("sources", "publisher", ["view"]),
    ("sources", "author", ["view"]),
    ("sources", "byline", ["view"]),
]
EDITOR_CUSTOM = [("editorial", "submit_claim")]

MODERATOR_PERMISSIONS = EDITOR_PERMISSIONS + [
    ("editorial", "speaker", ["delete"]),
]
MODERATOR_CUSTOM = EDITOR_CUSTOM + [("editorial", "moderate_claim")]

GROUPS = {
    "Editors": (EDITOR_PERMISSIONS, EDITOR_CUSTOM),
    "Moderators": (MODERATOR_PERMISSIONS, MODERATOR_CUSTOM),
}


def codenames(model_permissions, custom):
    for app_label, model, actions in model_permissions:
        for action in actions:
            yield app_label, f"{action}_{model}"
    yield from custom


def create_groups(apps, schema_editor):
    for app_label in ("sources", "editorial"):
        app_config = apps.get_app_config(app_label)
        # create_permissions skips app configs without a models module, which historical ones lack.
        app_config.models_module = True
        create_permissions(app_config, verbosity=0, apps=apps, using=schema_editor.connection.alias)
        app_config.models_module = None

    Group = apps.get_model("auth", "Group")
    Permission = apps.get_model("auth", "Permission")
    for name, (model_permissions, custom) in GROUPS.items():
        group, _ = Group.objects.using(schema_editor.connection.alias).get_or_create(name=name)
        for app_label, codename in codenames(model_permissions, custom):
            permission = Permission.objects.using(schema_editor.connection.alias).get(
                content_type__app_label=app_label, codename=codename
            )
            group.permissions.add(permission)


def remove_groups(apps, schema_editor):
    Group = apps.get_model("auth", "Group")
    Group.objects.using(schema_editor.connection.alias).filter(name__in=GROUPS).delete()


class Migration(migrations.Migration):
    dependencies = [
        ("auth", "0012_alter_user_first_name_max_length"),
        ("contenttypes", "0002_remove_content_type_name"),
        ("sources", "0001_initial"),
        ("editorial", "0001_initial"),
    ]

    operations = [
        migrations.RunPython(create_groups, remove_groups),
    ]
