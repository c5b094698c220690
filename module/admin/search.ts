import type { Request, Response } from 'express';
import type { ModuleContext } from '../context';
import { field, paging } from '../http';
import { renderPage } from '../render';

/** What a staff search page finds: how many match, and one page of them. */
export interface SearchSource<Row> {
  count(q: string): Promise<number>;
  page(q: string, offset: number, limit: number): Promise<Row[]>;
}

/**
 * A staff search page (users, accounts): empty until something is typed, then one page of what
 * matches, so an empty search never lists the whole portal.
 */
export function searchPage<Row>(
  ctx: ModuleContext,
  view: string,
  title: string,
  source: SearchSource<Row>,
  perPage: number,
) {
  return async (req: Request, res: Response) => {
    const q = field(req.query, 'q', 100);
    const total = q ? await source.count(q) : 0;
    const { page, pages, offset } = paging(req.query.page, total, perPage);
    const rows = q ? await source.page(q, offset, perPage) : [];
    renderPage(ctx, req, res, view, { title, q, rows, total, page, pages });
  };
}
