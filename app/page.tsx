import { redirect } from "next/navigation";
import { getSessionUser } from "@/lib/server/session";

export default async function HomePage() {
  redirect((await getSessionUser()) ? "/servers" : "/login");
}
