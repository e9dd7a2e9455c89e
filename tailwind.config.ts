// Tailwind 4 reads its theme from app/globals.css (@theme); this file only names the
// sources so editors and the product card's layout agree.
import type { Config } from "tailwindcss";

export default {
  content: ["./app/**/*.{ts,tsx}", "./components/**/*.{ts,tsx}"],
} satisfies Config;
