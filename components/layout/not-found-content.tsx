import Link from "next/link";

/** The body of every 404: what happened and the way back. */
export function NotFoundContent() {
  return (
    <div className="mx-auto max-w-md rounded-lg border border-zinc-200 bg-white px-6 py-10 text-center">
      <p className="text-sm font-medium text-zinc-600">404</p>
      <h1 className="mt-1 text-xl font-semibold text-zinc-900">Page not found</h1>
      <p className="mt-2 text-sm text-zinc-600">
        There is nothing at this address. The server or snapshot may have been deleted, or it belongs to someone else.
      </p>
      <Link
        href="/servers"
        className="mt-5 inline-flex h-9 items-center rounded-md bg-zinc-900 px-3.5 text-sm font-medium text-white hover:bg-zinc-700"
      >
        Back to servers
      </Link>
    </div>
  );
}
