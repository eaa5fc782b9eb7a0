"""The feeds summed per home and month (``jig.summary``), the trigger that keeps it honest,
and what lets a recompute leave unchanged ratings' components alone (``jig.risk.store``).

The trigger runs once per statement (never per row, so bulk loads pay nothing per record) on
both feed tables. A statement that ``jig.summary`` was not told about beforehand (the setting
``jig.feed_months_marked`` names the feed being written, or is 'all') notes that every month of
that feed must be counted again. Existing records are counted at the first refresh: the
migration leaves that note for both feeds.
"""

import django.contrib.postgres.fields
import django.db.models.deletion
from django.db import migrations, models

TRIGGER_SQL = """
    CREATE FUNCTION jig_feed_months_unmarked() RETURNS trigger LANGUAGE plpgsql AS $$
    BEGIN
        IF coalesce(current_setting('jig.feed_months_marked', true), '') NOT IN (TG_ARGV[0], 'all') THEN
            INSERT INTO jig_feedmonthchange (kind) VALUES (TG_ARGV[0]);
        END IF;
        RETURN NULL;
    END $$;
    CREATE TRIGGER jig_ambulance_feed_months
        AFTER INSERT OR UPDATE OR DELETE OR TRUNCATE ON jig_ambulanceincident
        FOR EACH STATEMENT EXECUTE FUNCTION jig_feed_months_unmarked('ambulance');
    CREATE TRIGGER jig_hospital_feed_months
        AFTER INSERT OR UPDATE OR DELETE OR TRUNCATE ON jig_hospitalactivity
        FOR EACH STATEMENT EXECUTE FUNCTION jig_feed_months_unmarked('hospital');
    INSERT INTO jig_feedmonthchange (kind) VALUES ('ambulance'), ('hospital');
"""
# Ratings' components (about 4 KB of JSON each) are kept out of the table's rows, so a recompute
# that leaves them unchanged rewrites 150-byte rows rather than 1.5 KB ones, and the digests
# are read without reading them; each page keeps room for its ratings' next versions, so that
# rewrite stays on the page and adds no index entries; and components are compressed with LZ4
# where the server has it, several times faster to write than the default, for much the same size.
RATING_STORAGE_SQL = """
    ALTER TABLE jig_riskrating SET (toast_tuple_target = 128, fillfactor = 70);
    DO $$ BEGIN
        IF EXISTS (SELECT 1 FROM pg_settings WHERE name = 'default_toast_compression'
                                               AND 'lz4' = ANY(enumvals)) THEN
            ALTER TABLE jig_riskrating ALTER COLUMN components SET COMPRESSION lz4;
        END IF;
    END $$;
"""
RATING_STORAGE_REVERSE_SQL = "ALTER TABLE jig_riskrating RESET (toast_tuple_target, fillfactor)"
DROP_TRIGGER_SQL = """
    DROP TRIGGER jig_ambulance_feed_months ON jig_ambulanceincident;
    DROP TRIGGER jig_hospital_feed_months ON jig_hospitalactivity;
    DROP FUNCTION jig_feed_months_unmarked();
"""


class Migration(migrations.Migration):

    dependencies = [
        ('carehomes', '0002_initial'),
        ('jig', '0003_bulk_load_links'),
    ]

    operations = [
        migrations.CreateModel(
            name='FeedMonthChange',
            fields=[
                ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                ('kind', models.CharField(choices=[('ambulance', 'Ambulance incidents'), ('hospital', 'Hospital activity')], max_length=16)),
                ('care_home_ids', django.contrib.postgres.fields.ArrayField(base_field=models.BigIntegerField(), null=True, size=None)),
                ('first_months', django.contrib.postgres.fields.ArrayField(base_field=models.DateField(null=True), null=True, size=None)),
                ('last_months', django.contrib.postgres.fields.ArrayField(base_field=models.DateField(null=True), null=True, size=None)),
            ],
            options={
                'verbose_name': 'feed month change',
            },
        ),
        migrations.CreateModel(
            name='FeedMonth',
            fields=[
                ('pk', models.CompositePrimaryKey('care_home', 'month', blank=True, editable=False, primary_key=True, serialize=False)),
                ('month', models.DateField(help_text='The first day of the month.')),
                ('callouts', models.IntegerField(db_default=0)),
                ('conveyed', models.IntegerField(db_default=0)),
                ('falls_callouts', models.IntegerField(db_default=0)),
                ('emergency_admissions', models.IntegerField(db_default=0)),
                ('ae_attendances', models.IntegerField(db_default=0)),
                ('bed_days', models.IntegerField(db_default=0)),
                ('care_home', models.ForeignKey(db_constraint=False, db_index=False, on_delete=django.db.models.deletion.DO_NOTHING, related_name='+', to='carehomes.carehome')),
            ],
            options={
                'verbose_name': 'feed month',
                'constraints': [models.CheckConstraint(condition=models.Q(('month__day', 1)), name='feed_month_first_day')],
            },
        ),
        migrations.CreateModel(
            name='FeedSeries',
            fields=[
                ('care_home', models.OneToOneField(db_constraint=False, on_delete=django.db.models.deletion.DO_NOTHING, primary_key=True, related_name='+', serialize=False, to='carehomes.carehome')),
                ('first_month', models.DateField()),
                ('counts', models.BinaryField()),
            ],
            options={
                'verbose_name': 'feed series',
                'verbose_name_plural': 'feed series',
            },
        ),
        migrations.RunSQL(TRIGGER_SQL, reverse_sql=DROP_TRIGGER_SQL),
        migrations.AddField(
            model_name='riskrating',
            name='components_digest',
            field=models.CharField(blank=True, editable=False, help_text="SHA-256 of the components' JSON as written: a recompute that works out the same components leaves them as they are (jig.risk.store).", max_length=64),
        ),
        migrations.RunSQL(RATING_STORAGE_SQL, reverse_sql=RATING_STORAGE_REVERSE_SQL),
        migrations.AlterField(
            model_name='riskrating',
            name='care_home',
            field=models.ForeignKey(db_index=False, on_delete=django.db.models.deletion.CASCADE, related_name='risk_ratings', to='carehomes.carehome'),
        ),
        migrations.AlterField(
            model_name='riskrating',
            name='recompute',
            field=models.ForeignKey(blank=True, db_constraint=False, db_index=False, null=True, on_delete=django.db.models.deletion.SET_NULL, related_name='+', to='jig.riskrecompute'),
        ),
    ]
