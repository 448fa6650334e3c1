"""ApiToken and IdempotencyRecord now belong to the api app (api.0001); state only, the tables
and their rows stay."""

from django.db import migrations


class Migration(migrations.Migration):
    dependencies = [
        ("partners", "0003_organisation_name_unique_regardless_of_case"),
        ("api", "0001_initial"),
    ]

    operations = [
        migrations.SeparateDatabaseAndState(
            state_operations=[
                migrations.DeleteModel(name="ApiToken"),
                migrations.DeleteModel(name="IdempotencyRecord"),
            ],
            database_operations=[],
        ),
    ]
