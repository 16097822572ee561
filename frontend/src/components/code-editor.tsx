"use client";

import { useRef, type UIEvent } from "react";
import { cx } from "./ui";

/** JsError is a syntax error located in the user's code (1-based line and column). */
export type JsError = { line: number; column: number; message: string };

/**
 * parseJsError reads the "line L, column C: message" form that
 * ValidateUserJavascriptCode returns; other text is kept as the message with
 * no location.
 */
export function parseJsError(s: string): JsError {
  const m = /^line (\d+), column (\d+): ([\s\S]*)$/.exec(s.trim());
  if (!m) return { line: 0, column: 0, message: s };
  return { line: Number(m[1]), column: Number(m[2]), message: m[3] };
}

/**
 * CodeEditor is a monospace textarea with a line-number gutter that scrolls
 * with it, and marks the line of a syntax error. Tab is left to move focus
 * (so the editor never traps the keyboard); indentation is typed as spaces.
 */
export function CodeEditor({
  id,
  value,
  onChange,
  errorLine,
  rows = 10,
  describedBy,
  label,
}: {
  id: string;
  value: string;
  onChange: (v: string) => void;
  errorLine?: number;
  rows?: number;
  describedBy?: string;
  label?: string;
}) {
  const gutter = useRef<HTMLDivElement>(null);
  const lines = Math.max(value.split("\n").length, rows);
  const onScroll = (e: UIEvent<HTMLTextAreaElement>) => {
    if (gutter.current) gutter.current.scrollTop = e.currentTarget.scrollTop;
  };
  return (
    <div className={cx("flex overflow-hidden rounded-md bg-slate-950 font-mono text-[13px] leading-5 ring-1 ring-inset focus-within:ring-2 focus-within:ring-indigo-500", errorLine ? "ring-red-500" : "ring-slate-700")}>
      <div ref={gutter} aria-hidden="true" className="select-none overflow-hidden bg-slate-900 py-2 text-right text-slate-500" style={{ height: `calc(${rows} * 1.25rem + 1rem)` }}>
        {Array.from({ length: lines }, (_, i) => (
          <div key={i} data-line={i + 1} className={cx("px-2", errorLine === i + 1 && "bg-red-900/70 text-red-200")}>
            {i + 1}
          </div>
        ))}
      </div>
      <textarea
        id={id}
        aria-label={label}
        aria-describedby={describedBy}
        aria-invalid={errorLine ? true : undefined}
        className="min-w-0 flex-1 resize-none whitespace-pre bg-transparent px-3 py-2 text-slate-100 caret-white outline-none"
        style={{ height: `calc(${rows} * 1.25rem + 1rem)` }}
        value={value}
        onChange={(e) => onChange(e.target.value)}
        onScroll={onScroll}
        spellCheck={false}
        autoCapitalize="off"
        autoComplete="off"
        autoCorrect="off"
        wrap="off"
      />
    </div>
  );
}
