-- 003 down: drop molecule_properties, property_kinds and the property_source enum.

DROP TRIGGER molecule_properties_set_updated_at ON molecule_properties;
DROP INDEX molecule_properties_kind_idx;
DROP INDEX molecule_properties_molecule_kind_idx;
DROP TABLE molecule_properties;
DROP TABLE property_kinds;
DROP TYPE property_source;
