import type { Request, Response } from 'express';
import type { Deps } from '../deps';

import { renderPage } from '../render';
import { flash } from '../session';
import { manifest } from '../manifest';
import { readSettingsForm, type SettingsFormResult } from '../settings/form';
import { adminActor } from './common';

/**
 * The module's settings page, rendered from module.json's fields, validated and stored by the
 * module itself (the host writes no form and no storage). Nothing is saved unless every field is valid.
 */
export function settingsHandlers({ ctx }: Deps) {
  const show = (req: Request, res: Response, status = 200, form?: SettingsFormResult) =>
    renderPage(
      ctx,
      req,
      res,
      'admin/settings',
      {
        title: 'admin.settings.title',
        fields: manifest.settings,
        values: form?.values ?? ctx.settings(),
        errors: form?.errors ?? {},
      },
      status,
    );

  return {
    show: async (req: Request, res: Response) => {
      await ctx.settingsCache.refresh(true);
      show(req, res);
    },
    save: async (req: Request, res: Response) => {
      const form = readSettingsForm(manifest.settings, (req.body ?? {}) as Record<string, unknown>);
      if (Object.keys(form.errors).length > 0) return show(req, res, 422, form);
      adminActor(ctx, req);
      await ctx.settingsCache.save(form.values);
      ctx.host.logger.info('account users settings saved', { by: ctx.host.admins.current(req)?.name });
      flash(req, 'success', 'admin.settings.saved');
      res.redirect(303, `${req.baseUrl}/settings`);
    },
  };
}
