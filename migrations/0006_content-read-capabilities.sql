-- `site.content.read` is split in two (ADR 0009): `site.content.read.private` (published entries whose
-- visibility is private) and `site.content.read.drafts` (unpublished work of every author). Built-in
-- roles take their capabilities from code. Stored names are rewritten here so that nobody loses access:
-- a custom role or API key scope holding the old name gets both new ones. The one exception is the
-- shipped `subscriber` role, meant to read private entries: the old name let it read every draft,
-- pending and scheduled entry too, which is what this change takes away.
UPDATE "roles"
SET "capabilities" = ARRAY(
		SELECT c FROM unnest(
			array_remove("capabilities", 'site.content.read')
			|| CASE WHEN "slug" = 'subscriber'
				THEN ARRAY['site.content.read.private']
				ELSE ARRAY['site.content.read.private', 'site.content.read.drafts'] END
		) AS c
		GROUP BY c ORDER BY c COLLATE "C"
	),
	"updated_at" = now()
WHERE NOT "is_builtin" AND 'site.content.read' = ANY ("capabilities");
--> statement-breakpoint
-- A key's scopes only narrow its owner's capabilities, so widening them to both names grants nothing the
-- owner does not hold (a subscriber's key still reads no drafts).
UPDATE "api_keys"
SET "scopes" = ARRAY(
	SELECT s FROM unnest(
		array_remove("scopes", 'site.content.read')
		|| ARRAY['site.content.read.private', 'site.content.read.drafts']
	) AS s
	GROUP BY s ORDER BY s COLLATE "C"
)
WHERE 'site.content.read' = ANY ("scopes");
