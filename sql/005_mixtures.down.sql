-- 005 down: drop the fraction-total view, mixture_components and mixtures.

DROP VIEW mixture_fraction_totals;
DROP TRIGGER mixture_components_set_updated_at ON mixture_components;
DROP TRIGGER mixtures_set_updated_at ON mixtures;
DROP INDEX mixture_components_molecule_idx;
DROP INDEX mixture_components_mixture_molecule_key;
DROP TABLE mixture_components;
DROP TABLE mixtures;
