// A TypeScript host written against the package's declarations only; the type test compiles it
// as ESM (.mts), as CommonJS (.cts) and for a bundler, with `tsc --noEmit`.
import type { Express, Request } from 'express';
import 'express-session';
import { createModule, manifest, type AccountUsersModule, type HostContract } from 'account-users';

export async function mount(app: Express, host: HostContract): Promise<AccountUsersModule> {
  const accountUsers = await createModule(host);
  app.use('/account', accountUsers.client);
  app.use('/admin/account-users', accountUsers.admin);
  app.get('/invoices', accountUsers.requirePermission('invoices'), (req: Request, res) => {
    res.send(accountUsers.accountOf(req)?.name ?? '');
  });
  const version: string = manifest.version;
  console.log(version, (await accountUsers.activate()).status);
  return accountUsers;
}

// The declarations are real types, not `any`: a host missing every member does not compile.
// @ts-expect-error
void createModule({});
