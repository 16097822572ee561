"use client";

import type { PiiSuggestion } from "@/lib/pii";
import type { ColumnChoice } from "@/lib/mappings";
import { Badge, Button, Card, ErrorBox } from "./ui";

const kindLabels: Record<string, string> = {
  email: "email",
  phone: "phone number",
  card_number: "card number",
  ssn: "SSN",
  iban: "IBAN",
  ipv4: "IPv4 address",
  ipv6: "IPv6 address",
  first_name: "first name",
  last_name: "last name",
  full_name: "full name",
  date_of_birth: "date of birth",
  free_text: "free text with personal data",
};

/**
 * PiiSuggestions lists the columns the source's PII scan flagged, each with a
 * "Suggested" badge and the transformer that would replace it, and applies
 * every suggestion with one click. A column already given that transformer
 * shows "Accepted".
 */
export function PiiSuggestions({
  suggestions,
  loading,
  error,
  value,
  onAccept,
}: {
  suggestions: PiiSuggestion[];
  loading: boolean;
  error: unknown;
  value: Record<string, ColumnChoice>;
  onAccept: (accepted: PiiSuggestion[]) => void;
}) {
  if (error) return <ErrorBox error={error} title="Could not scan the source for personal data" />;
  if (loading) return <p className="text-sm text-slate-500">Scanning a sample of the source for personal data…</p>;
  if (suggestions.length === 0) return null;
  const pending = suggestions.filter((s) => value[s.key]?.source !== s.choice.source);
  return (
    <Card
      title={`Personal data found in ${suggestions.length} column${suggestions.length === 1 ? "" : "s"}`}
      actions={
        <Button variant="primary" onClick={() => onAccept(pending)} disabled={pending.length === 0}>
          Accept all suggestions
        </Button>
      }
    >
      <ul aria-label="Suggested transformers" className="divide-y divide-slate-100 text-sm">
        {suggestions.map((s) => {
          const ev = s.finding.evidence;
          const accepted = value[s.key]?.source === s.choice.source;
          const evidence = ev && ev.nonNull > 0 ? `${ev.matched} of ${ev.nonNull} sampled values` : "by its name";
          return (
            <li key={s.key} data-column={s.key} className="flex flex-wrap items-center gap-2 px-4 py-2">
              <Badge tone={accepted ? "green" : "yellow"}>{accepted ? "Accepted" : "Suggested"}</Badge>
              <span className="font-mono">{s.key}</span>
              <span className="text-slate-600">
                {kindLabels[s.finding.kind] ?? s.finding.kind} ({evidence})
              </span>
              <span className="ml-auto font-mono text-slate-700">{s.choice.source}</span>
            </li>
          );
        })}
      </ul>
    </Card>
  );
}
