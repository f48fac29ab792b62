import type { Catalogue, ListingCursor } from '@grin/books';
import { formatCount } from '@grin/progress';
import { clearPartialPage, readPartialPage, type PartialPage } from './partial-page.js';

/** Where this session's walk of the listing starts. */
export interface WalkPlan {
  /**
   * `fresh`: page 1 of a new walk; `resume`: the saved cursor; `restart`: page 1 again on
   * request; `refresh`: page 1 of a refresh walk over a complete listing; `complete`: nothing to do.
   */
  kind: 'fresh' | 'resume' | 'restart' | 'refresh' | 'complete';
  /** null = page 1. */
  startUrl: string | null;
  startPageNumber: number;
  /** Rows of the first page already stored by a `--limit` session. */
  skip: PartialPage | null;
  /** Rows already seen in this walk (the progress display's `initialCompleted`). */
  initialCompleted: number;
  cursor: ListingCursor | undefined;
  /** What to tell the user about the plan, or null. */
  message: string | null;
}

export interface WalkPlanInput {
  list: string;
  refresh: boolean;
  restart: boolean;
  libraryDirectory: string;
  /** The client's library URL (`{base}{DIR}/`): saved cursor URLs are moved onto it. */
  libraryUrl: string;
}

/**
 * Decides where to start from the saved cursor. `--restart` forgets the cursor (rows stay);
 * a complete listing is walked again only with `--refresh` or `--restart`.
 */
export function planWalk(catalogue: Catalogue, input: WalkPlanInput): WalkPlan {
  const { list } = input;
  const cursor = catalogue.getListingCursor(list);
  const fromPageOne = (kind: WalkPlan['kind'], message: string | null): WalkPlan => ({
    kind,
    startUrl: null,
    startPageNumber: 1,
    skip: null,
    initialCompleted: 0,
    cursor: catalogue.getListingCursor(list),
    message,
  });
  if (input.restart) {
    catalogue.resetListingCursor(list);
    clearPartialPage(catalogue, list);
    const had = cursor && cursor.pagesStored > 0 ? ` (forgetting the saved position after page ${cursor.pageNumber})` : '';
    return fromPageOne('restart', `--restart: walking ${list} again from page 1${had}; rows already stored are kept.`);
  }
  if (cursor?.completedAt != null) {
    if (!input.refresh) {
      return fromPageOne(
        'complete',
        `${list} was already collected completely (${formatCount(cursor.rowsSeen)} rows, finished ` +
          `${cursor.completedAt}); nothing to fetch. Use --refresh to update the stored books from GRIN, ` +
          'or --restart to walk the listing again.',
      );
    }
    return fromPageOne('refresh', `--refresh: walking ${list} from page 1 to update the stored books.`);
  }
  if (!cursor || cursor.pageNumber === 0 || cursor.nextUrl === null) {
    clearPartialPage(catalogue, list);
    return fromPageOne('fresh', null);
  }
  // A page stored in part (--limit) keeps the cursor on itself: the resume reads that page again.
  const samePage = cursor.nextUrl === cursor.pageUrl;
  const partial = readPartialPage(catalogue, list);
  const skip = partial && partial.pageNumber === cursor.pageNumber && samePage ? partial : null;
  return {
    kind: 'resume',
    startUrl: rebaseUrl(cursor.nextUrl, input.libraryDirectory, input.libraryUrl),
    startPageNumber: samePage ? cursor.pageNumber : cursor.pageNumber + 1,
    skip,
    initialCompleted: cursor.rowsSeen,
    cursor,
    message:
      skip === null
        ? `Resuming ${list} after page ${cursor.pageNumber} (${formatCount(cursor.rowsSeen)} rows already ` +
          'seen in this walk; those pages are not fetched again).'
        : `Resuming ${list} (${formatCount(cursor.rowsSeen)} rows already seen in this walk): the last page ` +
          `was stored in part (--limit), so it is fetched again and its first ${formatCount(skip.rows)} rows ` +
          'are skipped; the pages before it are not fetched again.',
  };
}

/**
 * Moves a saved listing URL onto the current library URL when the server moved (a simulator on
 * a new port, another --grin-url): the part after `/{DIR}/` is kept. Other URLs are unchanged.
 */
export function rebaseUrl(url: string, libraryDirectory: string, libraryUrl: string): string {
  let parsed: URL;
  try {
    parsed = new URL(url);
  } catch {
    return url;
  }
  const marker = `/${encodeURIComponent(libraryDirectory)}/`;
  const at = parsed.pathname.indexOf(marker);
  if (at < 0) return url;
  const prefix = `${parsed.origin}${parsed.pathname.slice(0, at + marker.length)}`;
  if (prefix === libraryUrl) return url;
  return `${libraryUrl}${parsed.pathname.slice(at + marker.length)}${parsed.search}`;
}
