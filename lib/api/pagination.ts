// `next` / `previous` links for page-number pagination, as absolute URLs that keep every
// other query parameter, so a client can follow them without building URLs itself.
export function pageLinks(url: URL, page: number, pageSize: number, count: number) {
  const link = (target: number) => {
    const next = new URL(url);
    next.searchParams.set("page", String(target));
    next.searchParams.set("page_size", String(pageSize));
    return next.toString();
  };
  const lastPage = Math.max(1, Math.ceil(count / pageSize));
  return {
    next: page < lastPage ? link(page + 1) : null,
    previous: page > 1 ? link(Math.min(page - 1, lastPage)) : null,
  };
}
