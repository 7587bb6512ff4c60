from django.db import migrations


def create_bodies(apps, schema_editor):
    Project = apps.get_model("projects", "Project")
    Body = apps.get_model("boards", "Body")
    for project_id in Project.objects.values_list("pk", flat=True):
        for kind in ("board", "overview"):
            Body.objects.get_or_create(project_id=project_id, kind=kind)


class Migration(migrations.Migration):
    dependencies = [("boards", "0001_initial")]

    operations = [migrations.RunPython(create_bodies, migrations.RunPython.noop)]
