import type { Request, Response } from 'express';
import type { Deps } from '../deps';

/** View data for the pending invitations and invite form on the User Management page. */
export async function invitesPanel(_deps: Deps, _req: Request, _res: Response): Promise<Record<string, unknown>> {
  return {};
}
