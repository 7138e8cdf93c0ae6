-- Network admins may ask search engines to stay away from a whole site (render/sitemaps: robots.txt
-- disallows everything, the sitemaps answer 404, pages carry a robots noindex meta tag).
ALTER TABLE "sites" ADD COLUMN "discourage_indexing" boolean DEFAULT false NOT NULL;
