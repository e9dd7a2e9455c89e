import type { Metadata } from "next";
import { NotFoundContent } from "@/components/layout/not-found-content";

export const metadata: Metadata = { title: "Not found" };

// notFound() from a dashboard page (an unknown or foreign server id): inside the frame.
export default function DashboardNotFound() {
  return <NotFoundContent />;
}
