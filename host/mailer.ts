import fs from 'node:fs';
import path from 'node:path';
import type { Knex } from 'knex';
import nodemailer from 'nodemailer';
import type { MailMessage } from '../module/index';

/**
 * Mail through nodemailer: SMTP when SMTP_URL is set; otherwise into the Outbox table the admin
 * can read. With MAIL_DIR each message is also written there as one JSON file.
 */
export function createMailer(
  knex: Knex,
  options: { smtpUrl?: string; mailDir?: string; from: string | { name: string; address: string } },
) {
  const transport = options.smtpUrl ? nodemailer.createTransport(options.smtpUrl) : undefined;
  let seq = 0;
  return {
    async send(message: MailMessage): Promise<void> {
      if (transport) {
        await transport.sendMail({ from: options.from, ...message });
      } else {
        await knex('outbox').insert({
          to_address: message.to,
          subject: message.subject.slice(0, 300),
          text: message.text,
          html: message.html,
          created_at: Date.now(),
        });
      }
      if (options.mailDir) {
        fs.mkdirSync(options.mailDir, { recursive: true });
        seq += 1;
        const name = `${Date.now()}-${process.pid}-${seq}.json`;
        fs.writeFileSync(path.join(options.mailDir, name), JSON.stringify(message, null, 2));
      }
    },
  };
}
