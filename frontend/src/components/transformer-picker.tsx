"use client";

import { Combobox, ComboboxInput, ComboboxOption, ComboboxOptions } from "@headlessui/react";
import { useState } from "react";
import { matchTransformers, type TransformerChoice } from "@/lib/mapping-filter";
import { cx, inputClass } from "./ui";

/** TransformerSelect is the native picker (keyboard type-ahead, works everywhere), its options grouped. */
export function TransformerSelect({ id, choices, value, onChange, invalid, label }: { id: string; choices: TransformerChoice[]; value: string; onChange: (v: string) => void; invalid?: boolean; label?: string }) {
  const groups = [...new Set(choices.map((c) => c.group))];
  return (
    <select id={id} aria-label={label} className={cx(inputClass, invalid && "ring-red-400")} aria-invalid={invalid || undefined} value={value} onChange={(e) => onChange(e.target.value)}>
      {groups.map((g) => (
        <optgroup key={g} label={g}>
          {choices
            .filter((c) => c.group === g)
            .map((c) => (
              <option key={c.value} value={c.value}>
                {c.label}
              </option>
            ))}
        </optgroup>
      ))}
    </select>
  );
}

/**
 * TransformerSearch finds a transformer by any word of its name, source or
 * description ("email", "hash", "random name") and picks it: type, move with
 * the arrow keys, Enter to choose, Escape to close.
 */
export function TransformerSearch({ choices, onPick, onClose, label }: { choices: TransformerChoice[]; onPick: (v: string) => void; onClose: () => void; label: string }) {
  const [q, setQ] = useState("");
  const shown = matchTransformers(choices, q);
  return (
    <div className="mt-2 rounded-md border border-indigo-200 bg-white p-2 shadow-sm" role="group" aria-label={label}>
      <Combobox value={null as string | null} onChange={(v: string | null) => v && onPick(v)} onClose={() => setQ("")}>
        <div className="flex gap-2">
          <ComboboxInput
            autoFocus
            aria-label={label}
            className={inputClass}
            placeholder="Search by name or purpose: email, hash, name…"
            onChange={(e) => setQ(e.target.value)}
            onKeyDown={(e) => e.key === "Escape" && onClose()}
          />
          <button type="button" className="rounded-md px-2 text-sm text-slate-600 hover:bg-slate-100" onClick={onClose}>
            Close
          </button>
        </div>
        <ComboboxOptions static className="mt-2 max-h-60 overflow-y-auto text-sm">
          {shown.length === 0 && <p className="px-2 py-1.5 text-slate-500">No transformer matches “{q}”.</p>}
          {shown.map((c) => (
            <ComboboxOption key={c.value} value={c.value} className="cursor-pointer rounded px-2 py-1.5 data-[focus]:bg-indigo-50">
              <span className="font-medium text-slate-900">{c.label}</span> <span className="font-mono text-xs text-slate-500">{c.source}</span>
              {c.description && <span className="block text-xs text-slate-500">{c.description}</span>}
            </ComboboxOption>
          ))}
        </ComboboxOptions>
      </Combobox>
    </div>
  );
}
