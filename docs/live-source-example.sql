-- An example of what a registry installs to let rdds read its database live (docs/live-source.md):
-- a small EPP-shaped schema of a registry's own (schema epp, named and shaped as a registry's
-- tables would be, not as rdds's), the change log and its triggers, the views of the source
-- contract (schema rdds_source) and the read-only role rdds connects as. The tests install this very
-- file (test/live/), with the three names replaced. Adapt the views to your own tables.

-- 1. The registry's own tables (yours will differ) ------------------------------------------------
CREATE SCHEMA epp;
CREATE TABLE epp.registrar (
  id serial PRIMARY KEY, iana_number bigint NOT NULL UNIQUE, legal_name text NOT NULL,
  addr_lines text[] NOT NULL, town text NOT NULL, region text, postcode text, country char(2) NOT NULL,
  phone text, fax text, mail text NOT NULL, whois_host text, website text, rdap_url text,
  abuse_mail text NOT NULL, abuse_phone text NOT NULL, modified_at timestamptz
);
CREATE TABLE epp.contact (
  id serial PRIMARY KEY, contact_id text NOT NULL UNIQUE, repo_id text NOT NULL, sponsor int NOT NULL REFERENCES epp.registrar (id),
  intl_name text, intl_org text, intl_street1 text, intl_street2 text, intl_city text, intl_region text, intl_postcode text, intl_country char(2),
  local_name text, local_org text, local_street1 text, local_street2 text, local_city text, local_region text, local_postcode text, local_country char(2),
  phone text, phone_ext text, fax text, fax_ext text, mail text NOT NULL,
  publish_name boolean NOT NULL DEFAULT false, publish_org boolean NOT NULL DEFAULT false, publish_addr boolean NOT NULL DEFAULT false,
  publish_phone boolean NOT NULL DEFAULT false, publish_fax boolean NOT NULL DEFAULT false, publish_mail boolean NOT NULL DEFAULT false,
  created_at timestamptz NOT NULL DEFAULT now(), modified_at timestamptz
);
CREATE TABLE epp.host (
  id serial PRIMARY KEY, fqdn text NOT NULL UNIQUE, repo_id text NOT NULL, sponsor int NOT NULL REFERENCES epp.registrar (id),
  created_at timestamptz NOT NULL DEFAULT now(), modified_at timestamptz
);
CREATE TABLE epp.host_address (host_id int NOT NULL REFERENCES epp.host (id) ON DELETE CASCADE, ip inet NOT NULL);
CREATE TABLE epp.host_status (host_id int NOT NULL REFERENCES epp.host (id) ON DELETE CASCADE, status text NOT NULL);
CREATE TABLE epp.domain (
  id serial PRIMARY KEY, fqdn text NOT NULL UNIQUE, repo_id text NOT NULL, sponsor int NOT NULL REFERENCES epp.registrar (id),
  registrant int REFERENCES epp.contact (id), created_at timestamptz NOT NULL DEFAULT now(), modified_at timestamptz,
  expires_at timestamptz NOT NULL, transferred_at timestamptz
);
CREATE TABLE epp.domain_contact (domain_id int NOT NULL REFERENCES epp.domain (id) ON DELETE CASCADE, contact_id int NOT NULL REFERENCES epp.contact (id), role text NOT NULL CHECK (role IN ('admin', 'tech', 'billing')));
CREATE TABLE epp.domain_host (domain_id int NOT NULL REFERENCES epp.domain (id) ON DELETE CASCADE, host_id int NOT NULL REFERENCES epp.host (id), ord int NOT NULL);
CREATE TABLE epp.domain_status (domain_id int NOT NULL REFERENCES epp.domain (id) ON DELETE CASCADE, status text NOT NULL);
CREATE TABLE epp.dnssec_ds (domain_id int NOT NULL REFERENCES epp.domain (id) ON DELETE CASCADE, key_tag int NOT NULL, alg int NOT NULL, digest_type int NOT NULL, digest text NOT NULL);

-- 2. The change log: one row per changed object, written by triggers in the same transaction ------
CREATE TABLE epp.rdds_changes (seq bigserial PRIMARY KEY, kind text NOT NULL, key text NOT NULL, changed_at timestamptz NOT NULL DEFAULT clock_timestamp());

-- Logs the object a row belongs to: (kind, key column) for an object's own table; (kind, column
-- naming its parent's id, parent table, parent's key column) for the tables of its parts.
CREATE FUNCTION epp.rdds_log() RETURNS trigger LANGUAGE plpgsql AS $$
DECLARE
  versions jsonb[] := CASE TG_OP WHEN 'INSERT' THEN ARRAY[to_jsonb(NEW)] WHEN 'DELETE' THEN ARRAY[to_jsonb(OLD)] ELSE ARRAY[to_jsonb(NEW), to_jsonb(OLD)] END;
  r jsonb;
  k text;
BEGIN
  FOREACH r IN ARRAY versions LOOP  -- an update that renames an object changes the old key too
    IF TG_NARGS = 2 THEN
      k := r ->> TG_ARGV[1];
    ELSE
      EXECUTE format('SELECT %I::text FROM %I.%I WHERE id = $1', TG_ARGV[3], TG_TABLE_SCHEMA, TG_ARGV[2]) INTO k USING (r ->> TG_ARGV[1])::int;
    END IF;
    IF k IS NOT NULL THEN INSERT INTO epp.rdds_changes (kind, key) VALUES (TG_ARGV[0], k); END IF;
  END LOOP;
  RETURN NULL;
END $$;

CREATE TRIGGER rdds AFTER INSERT OR UPDATE OR DELETE ON epp.registrar FOR EACH ROW EXECUTE FUNCTION epp.rdds_log('registrar', 'iana_number');
CREATE TRIGGER rdds AFTER INSERT OR UPDATE OR DELETE ON epp.contact FOR EACH ROW EXECUTE FUNCTION epp.rdds_log('contact', 'contact_id');
CREATE TRIGGER rdds AFTER INSERT OR UPDATE OR DELETE ON epp.host FOR EACH ROW EXECUTE FUNCTION epp.rdds_log('host', 'fqdn');
CREATE TRIGGER rdds AFTER INSERT OR UPDATE OR DELETE ON epp.host_address FOR EACH ROW EXECUTE FUNCTION epp.rdds_log('host', 'host_id', 'host', 'fqdn');
CREATE TRIGGER rdds AFTER INSERT OR UPDATE OR DELETE ON epp.host_status FOR EACH ROW EXECUTE FUNCTION epp.rdds_log('host', 'host_id', 'host', 'fqdn');
CREATE TRIGGER rdds AFTER INSERT OR UPDATE OR DELETE ON epp.domain FOR EACH ROW EXECUTE FUNCTION epp.rdds_log('domain', 'fqdn');
CREATE TRIGGER rdds AFTER INSERT OR UPDATE OR DELETE ON epp.domain_contact FOR EACH ROW EXECUTE FUNCTION epp.rdds_log('domain', 'domain_id', 'domain', 'fqdn');
CREATE TRIGGER rdds AFTER INSERT OR UPDATE OR DELETE ON epp.domain_host FOR EACH ROW EXECUTE FUNCTION epp.rdds_log('domain', 'domain_id', 'domain', 'fqdn');
CREATE TRIGGER rdds AFTER INSERT OR UPDATE OR DELETE ON epp.domain_status FOR EACH ROW EXECUTE FUNCTION epp.rdds_log('domain', 'domain_id', 'domain', 'fqdn');
CREATE TRIGGER rdds AFTER INSERT OR UPDATE OR DELETE ON epp.dnssec_ds FOR EACH ROW EXECUTE FUNCTION epp.rdds_log('domain', 'domain_id', 'domain', 'fqdn');

-- 3. The views of the source contract (docs/live-source.md lists every column and type) ------------
CREATE SCHEMA rdds_source;
CREATE VIEW rdds_source.registrars AS
  SELECT iana_number AS iana_id, legal_name AS name, addr_lines AS street, town AS city, region AS sp, postcode AS pc, country::text AS cc,
         phone AS voice, fax, mail AS email, whois_host AS whois_server, website AS url, rdap_url AS rdap_base_url,
         abuse_mail AS abuse_email, abuse_phone, modified_at AS updated
  FROM epp.registrar;
CREATE VIEW rdds_source.contacts AS
  SELECT c.contact_id AS handle, c.repo_id AS roid, r.iana_number AS registrar_id,
         c.intl_name AS int_name, c.intl_org AS int_org, array_remove(ARRAY[c.intl_street1, c.intl_street2], NULL) AS int_street,
         c.intl_city AS int_city, c.intl_region AS int_sp, c.intl_postcode AS int_pc, c.intl_country::text AS int_cc,
         c.local_name AS loc_name, c.local_org AS loc_org, array_remove(ARRAY[c.local_street1, c.local_street2], NULL) AS loc_street,
         c.local_city AS loc_city, c.local_region AS loc_sp, c.local_postcode AS loc_pc, c.local_country::text AS loc_cc,
         c.phone AS voice, c.phone_ext AS voice_ext, c.fax, c.fax_ext, c.mail AS email,
         array_remove(ARRAY[CASE WHEN c.publish_name THEN 'name' END, CASE WHEN c.publish_org THEN 'org' END, CASE WHEN c.publish_addr THEN 'addr' END,
                            CASE WHEN c.publish_phone THEN 'voice' END, CASE WHEN c.publish_fax THEN 'fax' END, CASE WHEN c.publish_mail THEN 'email' END], NULL) AS disclose,
         c.created_at AS created, c.modified_at AS updated
  FROM epp.contact c JOIN epp.registrar r ON r.id = c.sponsor;
CREATE VIEW rdds_source.hosts AS
  SELECT h.fqdn AS name, h.repo_id AS roid, r.iana_number AS registrar_id,
         ARRAY(SELECT host(a.ip) FROM epp.host_address a WHERE a.host_id = h.id ORDER BY a.ip) AS addresses,
         ARRAY(SELECT s.status FROM epp.host_status s WHERE s.host_id = h.id ORDER BY s.status) AS statuses,
         h.created_at AS created, h.modified_at AS updated
  FROM epp.host h JOIN epp.registrar r ON r.id = h.sponsor;
CREATE VIEW rdds_source.domains AS
  SELECT d.fqdn AS name, d.repo_id AS roid, r.iana_number AS registrar_id, rc.contact_id AS registrant,
         (SELECT c.contact_id FROM epp.domain_contact dc JOIN epp.contact c ON c.id = dc.contact_id WHERE dc.domain_id = d.id AND dc.role = 'admin' LIMIT 1) AS admin,
         (SELECT c.contact_id FROM epp.domain_contact dc JOIN epp.contact c ON c.id = dc.contact_id WHERE dc.domain_id = d.id AND dc.role = 'tech' LIMIT 1) AS tech,
         (SELECT c.contact_id FROM epp.domain_contact dc JOIN epp.contact c ON c.id = dc.contact_id WHERE dc.domain_id = d.id AND dc.role = 'billing' LIMIT 1) AS billing,
         ARRAY(SELECT h.fqdn FROM epp.domain_host dh JOIN epp.host h ON h.id = dh.host_id WHERE dh.domain_id = d.id ORDER BY dh.ord) AS nameservers,
         ARRAY(SELECT s.status FROM epp.domain_status s WHERE s.domain_id = d.id ORDER BY s.status) AS statuses,
         d.created_at AS created, d.modified_at AS updated, d.expires_at AS expires, d.transferred_at AS transferred, NULL::text AS reseller
  FROM epp.domain d JOIN epp.registrar r ON r.id = d.sponsor LEFT JOIN epp.contact rc ON rc.id = d.registrant;
CREATE VIEW rdds_source.domain_ds AS
  SELECT d.fqdn AS domain, x.key_tag, x.alg AS algorithm, x.digest_type, x.digest FROM epp.dnssec_ds x JOIN epp.domain d ON d.id = x.domain_id;
CREATE VIEW rdds_source.changes AS SELECT seq, kind, key, changed_at FROM epp.rdds_changes;

-- 4. The role rdds connects as: it may read the views, and nothing else -----------------------------
CREATE ROLE rdds_reader LOGIN;
GRANT USAGE ON SCHEMA rdds_source TO rdds_reader;
GRANT SELECT ON ALL TABLES IN SCHEMA rdds_source TO rdds_reader;
