-- Run once by the postgres image, when its data volume is first created (as POSTGRES_USER).
-- POSTGRES_DB (roleguide) holds feedback and unanswered questions (storage/, Alembic);
-- this second database holds Rasa's tracker store (deploy/endpoints.yml, TRACKER_DB_NAME).
-- Apart, because conversations are deleted after TRACKER_RETENTION_DAYS and on /forget, and
-- must not live on in backups of the feedback database.
CREATE DATABASE rasa;
