import type { Request, Response } from 'express';
import type { Deps } from '../deps';
import type { AccountContext } from '../guard';
import { idKey, pagerLinks, readCursor, readPage } from '../keyset';
import { listLog } from '../log/repo';
import { formatLog } from '../log/format';
import { localeOf, renderPage, tOf } from '../render';
import { timeZoneOf } from '../request';
import { formatDate } from '../i18n';
import { LOG_ACTIONS } from '../admin/log';

const PER_PAGE = 50;

/** The account's activity log for its owner: newest first, one page at a time. */
export function activityHandlers({ ctx }: Deps) {
  const list = async (req: Request, res: Response) => {
    const account = res.locals.account as AccountContext;
    const t = tOf(req);
    // Only the module's own actions filter; anything else shows every entry.
    const action =
      typeof req.query.action === 'string' && LOG_ACTIONS.includes(req.query.action) ? req.query.action : '';
    const page = await readPage(readCursor(req.query, idKey), (cursor) =>
      listLog(ctx.knex, { accountId: account.id, action: action || undefined }, cursor, PER_PAGE),
    );
    const rows = await formatLog(ctx, t, page.rows, (ms) => formatDate(localeOf(req), ms, timeZoneOf(req)));
    renderPage(ctx, req, res, 'client/activity', {
      title: 'activity.title',
      rows,
      pager: pagerLinks(page, (e) => String(e.id), { action }),
      action,
      actions: LOG_ACTIONS,
    });
  };

  return { list };
}
