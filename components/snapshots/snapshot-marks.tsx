// Small marks on a snapshot row: the lock of a protected snapshot and its labels as chips.

export function LockIcon() {
  return (
    <svg
      viewBox="0 0 16 16"
      className="size-4 shrink-0 text-amber-700"
      role="img"
      aria-label="Protected"
      data-testid="protected-lock"
    >
      <title>Protected: cannot be deleted</title>
      <path
        fill="currentColor"
        d="M8 1a3.5 3.5 0 0 0-3.5 3.5V6H4a1.5 1.5 0 0 0-1.5 1.5v6A1.5 1.5 0 0 0 4 15h8a1.5 1.5 0 0 0 1.5-1.5v-6A1.5 1.5 0 0 0 12 6h-.5V4.5A3.5 3.5 0 0 0 8 1Zm2 5V4.5a2 2 0 1 0-4 0V6h4Z"
        fillRule="evenodd"
      />
    </svg>
  );
}

export function LabelChips({ labels }: { labels: Record<string, string> }) {
  const entries = Object.entries(labels);
  if (entries.length === 0) return null;
  return (
    <ul aria-label="Labels" className="mt-1 flex flex-wrap gap-1">
      {entries.map(([key, value]) => (
        <li
          key={key}
          className="rounded bg-zinc-100 px-1.5 py-0.5 font-mono text-[11px] text-zinc-700 ring-1 ring-zinc-200 ring-inset"
        >
          {value ? `${key}=${value}` : key}
        </li>
      ))}
    </ul>
  );
}
