/**
 * Administration → Personal data in a real browser against the real server (issue 16): an admin
 * finds a demo requester, downloads the export, erases them after typing their address; a
 * manager does not get the section. Screenshots go to ESCALON_SCREENSHOT_DIR (default: the temp
 * directory).
 */
import { mkdirSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { verifyAudit } from '../../src/store/audit-repo.ts';
import { browserSuite, browserUnavailable, signIn, signInIsolated } from './browser.ts';

const shots = process.env.ESCALON_SCREENSHOT_DIR ?? tmpdir();

if (!browserUnavailable) {
  describe('personal data (browser)', () => {
    const suite = browserSuite({ tickets: 6 });

    it('an admin finds a requester, exports their data, and erases them after typing their address', async () => {
      mkdirSync(shots, { recursive: true });
      const db = suite.server.store.db;
      // A demo requester with tickets.
      const who = await db
        .selectFrom('users')
        .innerJoin('tickets', 'tickets.requester_id', 'users.id')
        .select(['users.id', 'users.email', 'users.name'])
        .where('users.role', '=', 'customer')
        .groupBy(['users.id', 'users.email', 'users.name'])
        .orderBy('users.email')
        .executeTakeFirstOrThrow();
      const browser = await suite.browser();
      const admin = await signIn(browser, suite.server.url, 'admin@example.com');
      await admin.getByRole('link', { name: 'Admin', exact: true }).click();
      await admin
        .getByRole('navigation', { name: 'Administration' })
        .getByRole('link', { name: 'Personal data', exact: true })
        .click();
      await admin.getByLabel('Find a requester').fill(who.email.slice(0, 6));
      await admin
        .getByRole('list', { name: 'Requesters found' })
        .getByRole('button', { name: who.name, exact: true })
        .click();
      const [download] = await Promise.all([
        admin.waitForEvent('download'),
        admin.getByRole('button', { name: 'Export personal data (JSON)' }).click(),
      ]);
      const doc = JSON.parse(readFileSync((await download.path())!, 'utf8')) as {
        person: { email: string };
        tickets_requested: unknown[];
      };
      expect(doc.person.email).toBe(who.email);
      expect(doc.tickets_requested.length).toBeGreaterThan(0);
      await admin.getByRole('status').filter({ hasText: 'Exported:' }).waitFor();
      const erase = admin.getByRole('button', { name: 'Erase permanently' });
      expect(await erase.isDisabled()).toBe(true);
      await admin.getByLabel('Type the email address to confirm').fill(who.email);
      await admin.screenshot({ path: join(shots, 'admin-personal-data.png'), fullPage: true });
      await erase.click();
      await admin
        .getByRole('status')
        .filter({ hasText: /^Erased\. Recorded on \d+ ticket/ })
        .waitFor();
      await admin.screenshot({ path: join(shots, 'admin-personal-data-erased.png'), fullPage: true });
      const after = await db
        .selectFrom('users')
        .select(['name', 'email', 'active'])
        .where('id', '=', who.id)
        .executeTakeFirstOrThrow();
      expect(after).toEqual({ name: '[erased]', email: `erased-${who.id}@erased.invalid`, active: 0 });
      expect((await verifyAudit(db)).problems).toEqual([]);
      // The ticket's timeline says what happened, in words, with the subject gone.
      const ticket = await db.selectFrom('tickets').select('key').where('requester_id', '=', who.id).orderBy('number').executeTakeFirstOrThrow();
      await admin.goto(`${suite.server.url}/tickets/${ticket.key}`);
      await admin.getByText("Requester's personal data erased by Ada Admin").waitFor();
      await admin.getByRole('heading', { name: `${ticket.key} [erased]` }).waitFor();

      const { page: manager, close } = await signInIsolated(suite.server.url, 'marc@example.com');
      try {
        await manager.getByRole('link', { name: 'Admin', exact: true }).click();
        await manager.getByRole('navigation', { name: 'Administration' }).waitFor();
        expect(
          await manager
            .getByRole('navigation', { name: 'Administration' })
            .getByRole('link', { name: 'Personal data', exact: true })
            .count(),
        ).toBe(0);
        await manager.goto(`${suite.server.url}/admin/personal-data`);
        await manager.getByText('Only admins manage this.').waitFor();
      } finally {
        await close();
      }
    });
  });
}
