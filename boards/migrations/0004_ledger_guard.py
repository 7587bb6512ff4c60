from django.db import migrations


def install(apps, schema_editor):
    from boards.db import install_ledger_guard

    install_ledger_guard(schema_editor.connection)


def remove(apps, schema_editor):
    from boards.db import remove_ledger_guard

    remove_ledger_guard(schema_editor.connection)


class Migration(migrations.Migration):
    dependencies = [("boards", "0003_decisions")]

    operations = [migrations.RunPython(install, remove)]
