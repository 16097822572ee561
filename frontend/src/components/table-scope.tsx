"use client";

import { useState } from "react";
import { Button, Card, inputClass } from "./ui";

/** includedTables keeps the tables ("schema.table") not excluded, in order. */
export function includedTables(all: string[], excluded: Set<string>): string[] {
  return all.filter((t) => !excluded.has(t));
}

/**
 * TableScope chooses which of the source's tables the job copies: all by
 * default, like a YAML job that maps every table; a table left out gets no
 * mappings, so its rows are not read and it is not written. A filter finds
 * tables among thousands; the buttons include or leave out the tables shown.
 */
export function TableScope({ tables, excluded, onChange }: { tables: string[]; excluded: Set<string>; onChange: (excluded: Set<string>) => void }) {
  const [q, setQ] = useState("");
  const words = q.toLowerCase().split(/\s+/).filter(Boolean);
  const shown = tables.filter((t) => words.every((w) => t.toLowerCase().includes(w)));
  const set = (names: string[], include: boolean) => {
    const n = new Set(excluded);
    for (const t of names) (include ? n.delete(t) : n.add(t));
    onChange(n);
  };
  const included = tables.length - tables.filter((t) => excluded.has(t)).length;
  return (
    <Card title={<span data-testid="table-scope-count">Tables: {included} of {tables.length} included</span>}>
      <div className="flex flex-wrap items-center gap-2">
        <input aria-label="Filter tables" className={inputClass + " max-w-xs"} placeholder="Filter tables…" value={q} onChange={(e) => setQ(e.target.value)} />
        <Button className="px-2.5 py-1.5" onClick={() => set(shown, true)}>
          Include {q ? "shown" : "all"}
        </Button>
        <Button className="px-2.5 py-1.5" onClick={() => set(shown, false)}>
          Exclude {q ? "shown" : "all"}
        </Button>
      </div>
      <ul className="mt-3 grid max-h-64 grid-cols-1 gap-x-4 gap-y-1 overflow-y-auto text-sm sm:grid-cols-2 lg:grid-cols-3" aria-label="Tables to copy">
        {shown.map((t) => (
          <li key={t} className="min-w-0">
            <label className="flex items-center gap-2">
              <input type="checkbox" checked={!excluded.has(t)} onChange={(e) => set([t], e.target.checked)} aria-label={`Include ${t}`} />
              <span className="truncate font-mono text-xs" title={t}>
                {t}
              </span>
            </label>
          </li>
        ))}
        {shown.length === 0 && <li className="text-slate-500">No table matches “{q}”.</li>}
      </ul>
      {included === 0 && <p className="mt-2 text-sm text-red-700" role="alert">Include at least one table.</p>}
    </Card>
  );
}
