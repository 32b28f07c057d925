"""Let the desk follow its background tasks in the admin (docs/tasks.md).

Editors and Moderators may view the tasks' states (``django_tasks_db.DBTaskResult``): a capture
from the web, a watch check or a large import runs in the background, and whoever started it
looks there for how it went. Moderators may also run failed tasks again (the admin's retry action
checks ``change_dbtaskresult``; the results themselves stay read-only).
"""

from django.contrib.auth.management import create_permissions
from django.db import migrations

GROUPS = {
    "Editors": ["view_dbtaskresult"],
    "Moderators": ["view_dbtaskresult", "change_dbtaskresult"],
}


def grant(apps, schema_editor):
    alias = schema_editor.connection.alias
    app_config = apps.get_app_config("django_tasks_database")
    app_config.models_module = True  # see 0002: historical app configs lack a models module
    create_permissions(app_config, verbosity=0, apps=apps, using=alias)
    app_config.models_module = None
    Group = apps.get_model("auth", "Group")
    Permission = apps.get_model("auth", "Permission")
    for name, codenames in GROUPS.items():
        group, _ = Group.objects.using(alias).get_or_create(name=name)
        for codename in codenames:
            group.permissions.add(
                Permission.objects.using(alias).get(content_type__app_label="django_tasks_database", codename=codename)
            )


def revoke(apps, schema_editor):
    alias = schema_editor.connection.alias
    Group = apps.get_model("auth", "Group")
    Permission = apps.get_model("auth", "Permission")
    for name, codenames in GROUPS.items():
        group = Group.objects.using(alias).filter(name=name).first()
        if group is not None:
            group.permissions.remove(
                *Permission.objects.using(alias).filter(
                    content_type__app_label="django_tasks_database", codename__in=codenames
                )
            )


class Migration(migrations.Migration):
    dependencies = [
        ("editorial", "0012_public_facet_scopes"),
        ("django_tasks_database", "0021_conditional_partial_index_ordering"),
        ("auth", "0012_alter_user_first_name_max_length"),
    ]

    operations = [migrations.RunPython(grant, revoke)]
