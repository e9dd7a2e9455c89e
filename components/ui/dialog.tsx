"use client";
// Radix Dialog with the app's look. Radix traps focus, closes on Escape, restores focus
// to the trigger and labels the dialog by its Title and Description.
import * as RadixDialog from "@radix-ui/react-dialog";
import { useRef, type ReactNode } from "react";
import { cn } from "@/components/ui/cn";

export const Dialog = RadixDialog.Root;
export const DialogTrigger = RadixDialog.Trigger;
export const DialogClose = RadixDialog.Close;

export function DialogContent({
  title,
  description,
  children,
  className,
}: {
  title: ReactNode;
  description?: ReactNode;
  children: ReactNode;
  className?: string;
}) {
  // Controlled dialogs opened from a table row have no Radix Trigger, so Radix would drop
  // focus on <body> when they close. Remember what had focus and return to it.
  const returnTo = useRef<HTMLElement | null>(null);
  return (
    <RadixDialog.Portal>
      {/* black, not a zinc token: the dark theme mirrors zinc, and a backdrop must darken in both. */}
      <RadixDialog.Overlay className="fixed inset-0 z-40 bg-black/50" />
      <RadixDialog.Content
        className={cn(
          "fixed top-1/2 left-1/2 z-50 max-h-[calc(100dvh-2rem)] w-[calc(100vw-2rem)] max-w-lg -translate-x-1/2 -translate-y-1/2 overflow-y-auto rounded-lg bg-white p-5 shadow-xl focus:outline-none",
          className,
        )}
        onOpenAutoFocus={() => {
          returnTo.current = document.activeElement instanceof HTMLElement ? document.activeElement : null;
        }}
        onCloseAutoFocus={(event) => {
          if (returnTo.current?.isConnected) {
            event.preventDefault();
            returnTo.current.focus();
          }
        }}
        // Without a description Radix warns; a dialog without one says so explicitly.
        {...(description ? {} : { "aria-describedby": undefined })}
      >
        <div className="mb-4 pr-8">
          <div className="space-y-1">
            <RadixDialog.Title className="text-base font-semibold text-zinc-900">{title}</RadixDialog.Title>
            {description ? (
              <RadixDialog.Description className="text-sm text-zinc-600">{description}</RadixDialog.Description>
            ) : null}
          </div>
        </div>
        {children}
        {/* Last in the DOM, so Radix puts initial focus on the first field, not on "close". */}
        <RadixDialog.Close
          className="absolute top-4 right-4 rounded p-1 text-zinc-500 hover:bg-zinc-100 hover:text-zinc-800"
          aria-label="Close"
        >
          <svg aria-hidden viewBox="0 0 20 20" className="size-4" fill="none" stroke="currentColor" strokeWidth="2">
            <path d="M5 5l10 10M15 5L5 15" />
          </svg>
        </RadixDialog.Close>
      </RadixDialog.Content>
    </RadixDialog.Portal>
  );
}

/** The row of buttons at the bottom of a dialog; stacks on a phone with the primary on top. */
export function DialogFooter({ children }: { children: ReactNode }) {
  return <div className="mt-5 flex flex-col-reverse gap-2 sm:flex-row sm:justify-end">{children}</div>;
}
