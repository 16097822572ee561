"use client";

import type { Completion, CompletionContext, CompletionResult } from "@codemirror/autocomplete";
import { javascript, javascriptLanguage } from "@codemirror/lang-javascript";
import { Compartment, EditorState, RangeSetBuilder } from "@codemirror/state";
import { Decoration, EditorView } from "@codemirror/view";
import { basicSetup } from "codemirror";
import { useEffect, useRef } from "react";
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

/** jsFunctionName is the name the sandbox gives a transformer under neosync.*: transform_email → transformEmail (as the API's jsFunctionName). */
export function jsFunctionName(source: string): string {
  return source
    .split("_")
    .map((p, i) => (i > 0 && p ? p[0].toUpperCase() + p.slice(1) : p))
    .join("");
}

/** Binding is a system transformer as code calls it. */
export type Binding = { source: string; name: string; description: string };

/**
 * neosyncCompletions lists what code can call: every system transformer but
 * the JavaScript ones as neosync.<name> — transforms take (value, params),
 * generators (params) — plus the function's own value and input.
 */
export function neosyncCompletions(bindings: Binding[]): { members: Completion[]; globals: Completion[] } {
  const members = bindings
    .filter((b) => !b.source.endsWith("_javascript"))
    .map((b) => {
      const gen = b.source.startsWith("generate_");
      return { label: jsFunctionName(b.source), type: "function", detail: gen ? "(params)" : "(value, params)", info: `${b.name}: ${b.description}`, apply: `${jsFunctionName(b.source)}(${gen ? "" : "value"})` };
    });
  const globals: Completion[] = [
    { label: "value", type: "variable", info: "The column's value in this row." },
    { label: "input", type: "variable", info: "The whole row: input.column_name." },
    { label: "neosync", type: "namespace", info: "The system transformers, callable from code: neosync.transformEmail(value, {preserve_domain: true})." },
  ];
  return { members, globals };
}

/** completionSource completes neosync.<member> after "neosync." and value, input, neosync elsewhere. */
export function completionSource(bindings: Binding[]) {
  const { members, globals } = neosyncCompletions(bindings);
  return (ctx: CompletionContext): CompletionResult | null => {
    const member = ctx.matchBefore(/neosync\.\w*/);
    if (member) return { from: member.from + "neosync.".length, options: members, validFor: /^\w*$/ };
    const word = ctx.matchBefore(/\w+/);
    if (!word && !ctx.explicit) return null;
    return { from: word?.from ?? ctx.pos, options: globals, validFor: /^\w*$/ };
  };
}

const errorLineMark = Decoration.line({ class: "cm-error-line" });

function errorDecorations(line?: number) {
  return EditorView.decorations.compute(["doc"], (state) => {
    const b = new RangeSetBuilder<Decoration>();
    if (line && line >= 1 && line <= state.doc.lines) b.add(state.doc.line(line).from, state.doc.line(line).from, errorLineMark);
    return b.finish();
  });
}

const theme = EditorView.theme(
  {
    "&": { backgroundColor: "#020617", color: "#f1f5f9", fontSize: "13px" },
    ".cm-content": { caretColor: "#fff", fontFamily: "ui-monospace, SFMono-Regular, Menlo, monospace" },
    ".cm-gutters": { backgroundColor: "#0f172a", color: "#64748b", border: "none" },
    ".cm-activeLine, .cm-activeLineGutter": { backgroundColor: "#1e293b80" },
    ".cm-error-line": { backgroundColor: "#7f1d1db3" },
    "&.cm-focused .cm-cursor": { borderLeftColor: "#fff" },
    "&.cm-focused .cm-selectionBackground, ::selection": { backgroundColor: "#334155" },
    ".cm-tooltip-autocomplete": { backgroundColor: "#fff", color: "#0f172a" },
  },
  { dark: true },
);

/**
 * CodeEditor is a CodeMirror 6 JavaScript editor: highlighting, line numbers,
 * bracket matching, undo, and completion of neosync.* (every system
 * transformer the sandbox exposes), value and input; the line of a syntax
 * error is marked. Tab is left to move focus (the editor never traps the
 * keyboard); the content element carries id, label and aria attributes, so
 * a <label for> names it. Everything is bundled: no network.
 */
export function CodeEditor({
  id,
  value,
  onChange,
  errorLine,
  rows = 10,
  describedBy,
  label,
  bindings = [],
}: {
  id: string;
  value: string;
  onChange: (v: string) => void;
  errorLine?: number;
  rows?: number;
  describedBy?: string;
  label?: string;
  bindings?: Binding[];
}) {
  const host = useRef<HTMLDivElement>(null);
  const view = useRef<EditorView | null>(null);
  const change = useRef(onChange);
  change.current = onChange;
  const attrs = useRef(new Compartment());
  const marks = useRef(new Compartment());
  const complete = useRef(new Compartment());
  const aria = () => {
    const a: Record<string, string> = { id, spellcheck: "false", autocapitalize: "off", autocorrect: "off" };
    if (label) a["aria-label"] = label;
    if (describedBy) a["aria-describedby"] = describedBy;
    if (errorLine) a["aria-invalid"] = "true";
    return EditorView.contentAttributes.of(a);
  };
  const bindingsKey = bindings.map((b) => b.source).join(",");

  useEffect(() => {
    if (!host.current) return;
    const v = new EditorView({
      parent: host.current,
      state: EditorState.create({
        doc: value,
        extensions: [
          basicSetup,
          javascript(),
          theme,
          EditorView.lineWrapping,
          attrs.current.of(aria()),
          marks.current.of(errorDecorations(errorLine)),
          complete.current.of(javascriptLanguage.data.of({ autocomplete: completionSource(bindings) })),
          EditorView.updateListener.of((u) => {
            if (u.docChanged) change.current(u.state.doc.toString());
          }),
        ],
      }),
    });
    view.current = v;
    return () => {
      v.destroy();
      view.current = null;
    };
    // The editor is made once; the effects below keep it in step.
    // eslint-disable-next-line react-hooks/exhaustive-deps
  }, []);

  // A value set from outside (a reset, another transformer) replaces the text.
  useEffect(() => {
    const v = view.current;
    if (v && v.state.doc.toString() !== value) v.dispatch({ changes: { from: 0, to: v.state.doc.length, insert: value } });
  }, [value]);

  useEffect(() => {
    view.current?.dispatch({ effects: [attrs.current.reconfigure(aria()), marks.current.reconfigure(errorDecorations(errorLine))] });
    // eslint-disable-next-line react-hooks/exhaustive-deps
  }, [id, label, describedBy, errorLine]);

  useEffect(() => {
    view.current?.dispatch({ effects: complete.current.reconfigure(javascriptLanguage.data.of({ autocomplete: completionSource(bindings) })) });
    // eslint-disable-next-line react-hooks/exhaustive-deps
  }, [bindingsKey]);

  return (
    <div
      ref={host}
      data-testid={`${id}-editor`}
      className={cx("overflow-auto rounded-md ring-1 ring-inset focus-within:ring-2 focus-within:ring-indigo-500", errorLine ? "ring-red-500" : "ring-slate-700")}
      style={{ height: `calc(${rows} * 1.25rem + 1rem)` }}
    />
  );
}
