const fs = require('node:fs/promises');
const path = require('node:path');
const crypto = require('node:crypto');

/**
 * The portal sends no real mail in this example: with MAIL_DIR each message becomes one JSON file
 * ({ to, subject, text, html }) that a person or a test can open; without it, a line in the log.
 */
function createMailer({ mailDir, logger }) {
  return {
    async send(message) {
      const { to, subject, text, html } = message;
      if (!mailDir) return logger.info('mail', { to, subject });
      await fs.mkdir(mailDir, { recursive: true });
      const name = `${Date.now()}-${crypto.randomBytes(4).toString('hex')}.json`;
      await fs.writeFile(path.join(mailDir, name), JSON.stringify({ to, subject, text, html }, null, 2));
    },
  };
}

module.exports = { createMailer };
