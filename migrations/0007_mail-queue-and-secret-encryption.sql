-- Outgoing mail waits in mail_queue until a job of the `mail.send` queue delivers it, with retries and a
-- dead letter (the jobs platform). The body holds live links (password reset, invitations), so it is
-- stored sealed by the secret box (AES-256-GCM, `v1:<key id>:…`), never carried in job data, and erased
-- once the message is delivered; recipient, subject, status, attempts and the last error stay for
-- operators. A network table: no site_id, so no row-level security of its own.
CREATE TABLE "mail_queue" (
	"id" uuid PRIMARY KEY NOT NULL,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL,
	"updated_at" timestamp with time zone DEFAULT now() NOT NULL,
	"to_address" text NOT NULL,
	"subject" text NOT NULL,
	"body" text,
	"status" text DEFAULT 'queued' NOT NULL,
	"attempts" integer DEFAULT 0 NOT NULL,
	"last_error" text,
	"job_id" uuid,
	"sent_at" timestamp with time zone,
	CONSTRAINT "mail_queue_status_check" CHECK ("mail_queue"."status" in ('queued', 'retrying', 'sent', 'dead')),
	CONSTRAINT "mail_queue_body_sealed_check" CHECK ("mail_queue"."body" IS NULL OR "mail_queue"."body" LIKE 'v1:%'),
	CONSTRAINT "mail_queue_sent_erased_check" CHECK ("mail_queue"."status" <> 'sent' OR "mail_queue"."body" IS NULL)
);
--> statement-breakpoint
CREATE INDEX "mail_queue_status_idx" ON "mail_queue" USING btree ("status","id" DESC NULLS LAST);
--> statement-breakpoint
-- TOTP secrets are sealed by the same secret box from now on. SQL has no key, so rows written before this
-- migration keep their clear base32 secret: such a legacy row is one whose value lacks the `v1:` prefix
-- (base32 never contains `:` nor a lower-case letter). The application seals legacy rows at start
-- (maintenance), on first use, and with `colophon secrets rotate`.
COMMENT ON COLUMN "user_totp"."secret" IS 'Sealed TOTP secret (v1:<key id>:<nonce, tag, ciphertext>); a value without the v1: prefix is a legacy clear secret awaiting sealing.';
