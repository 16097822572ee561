import { describe, expect, it } from "vitest";
import { create } from "@bufbuild/protobuf";
import { act, fireEvent, screen, waitFor } from "@testing-library/react";
import { EditorView } from "@codemirror/view";
import userEvent from "@testing-library/user-event";
import { SystemTransformerSchema, TransformersService, UserDefinedTransformerSchema, type CreateUserDefinedTransformerRequest, type UpdateUserDefinedTransformerRequest } from "@/gen/mgmt/v1alpha1/transformer_pb";
import { renderWithAPI } from "@/test/render";
import { completionSource, jsFunctionName, neosyncCompletions, parseJsError } from "./code-editor";
import { TransformerEditor, sampleValues } from "./transformer-editor";

const transformers = [
  create(SystemTransformerSchema, {
    source: "transform_email",
    name: "Transform email",
    parameters: [
      { name: "preserve_domain", type: "bool", description: "Keep the domain", defaultValue: { kind: { case: "boolValue", value: false } } },
      { name: "max_length", type: "int", description: "Cut longer results", min: 1, max: 255 },
      { name: "email_type", type: "string", description: "Kind", allowedValues: ["uuid_v4", "fullname"], defaultValue: { kind: { case: "stringValue", value: "uuid_v4" } } },
    ],
  }),
  create(SystemTransformerSchema, {
    source: "transform_character_scramble",
    name: "Character scramble",
    parameters: [{ name: "user_provided_regex", type: "string", description: "RE2 expression" }],
  }),
  create(SystemTransformerSchema, {
    source: "transform_javascript",
    name: "JavaScript",
    parameters: [
      { name: "code", type: "string", required: true, description: "Body of function(value, input)" },
      { name: "timeout_ms", type: "int", min: 1, max: 60000 },
    ],
  }),
];

function api(log: { created: CreateUserDefinedTransformerRequest[]; updated: UpdateUserDefinedTransformerRequest[]; previews: string[] }) {
  return (r: Parameters<NonNullable<Parameters<typeof renderWithAPI>[1]>>[0]) =>
    r.service(TransformersService, {
      validateUserJavascriptCode(req) {
        if (req.code.includes("+;")) return { valid: false, error: "line 2, column 29: Unexpected token ;" };
        return { valid: true };
      },
      validateUserRegexCode(req) {
        if (req.userProvidedRegex.includes("(") && !req.userProvidedRegex.includes(")")) return { valid: false, error: "error parsing regexp: missing closing ): `(`" };
        return { valid: true };
      },
      previewTransformer(req) {
        log.previews.push(JSON.stringify(req.config));
        const code = String(req.config?.code ?? "");
        return { outputs: req.sampleValues.map((v) => ({ kind: { case: "stringValue" as const, value: code.includes("toUpperCase") ? String(v.kind.value).toUpperCase() : `x-${v.kind.value}` } })), errors: req.sampleValues.map(() => "") };
      },
      createUserDefinedTransformer(req) {
        log.created.push(req);
        return { transformer: { id: "t1", name: req.name, source: req.source } };
      },
      updateUserDefinedTransformer(req) {
        log.updated.push(req);
        return { transformer: { id: req.transformerId, name: req.name } };
      },
    });
}

describe("TransformerEditor", () => {
  it("shows a JavaScript syntax error at its line and column, then previews and saves the fixed code", async () => {
    const log = { created: [] as CreateUserDefinedTransformerRequest[], updated: [] as UpdateUserDefinedTransformerRequest[], previews: [] as string[] };
    let done = false;
    renderWithAPI(<TransformerEditor accountId="a1" transformers={transformers} onDone={() => (done = true)} />, api(log));
    await userEvent.selectOptions(screen.getByLabelText("System transformer"), "transform_javascript");
    // The CodeMirror editor: its content element is labelled by the parameter's name; text is set as typing would.
    const code = screen.getByLabelText("code");
    const view = EditorView.findFromDOM(code)!;
    const setCode = (text: string) => act(() => view.dispatch({ changes: { from: 0, to: view.state.doc.length, insert: text } }));
    expect(view.state.doc.toString()).toContain("return value;");
    setCode("// upper-case the local part\nreturn value.split('@')[0] +;");
    await userEvent.click(screen.getByRole("button", { name: "Check code" }));
    expect(await screen.findByText("Line 2, column 29: Unexpected token ;")).toBeInTheDocument();
    expect(code).toHaveAttribute("aria-invalid", "true");
    expect(code.querySelectorAll(".cm-line")[1]).toHaveClass("cm-error-line");

    await userEvent.type(screen.getByLabelText("Name"), "upper-local");
    await userEvent.click(screen.getByRole("button", { name: "Save transformer" }));
    expect(log.created).toHaveLength(0);

    setCode("return value.split('@')[0].toUpperCase();");
    expect(screen.queryByText(/Unexpected token/)).toBeNull();
    await userEvent.click(screen.getByRole("button", { name: "Check code" }));
    expect(await screen.findByText("The code compiles.")).toBeInTheDocument();
    await waitFor(() => expect(screen.getAllByTestId("preview-output")[0]).toHaveTextContent('"ALICE@EXAMPLE.COM"'), { timeout: 3000 });

    await userEvent.click(screen.getByRole("button", { name: "Save transformer" }));
    await waitFor(() => expect(done).toBe(true));
    expect(log.created[0]).toMatchObject({ accountId: "a1", name: "upper-local", source: "transform_javascript", config: { code: "return value.split('@')[0].toUpperCase();" } });
  });

  it("edits a saved transformer's typed parameters and rejects out-of-range numbers", async () => {
    const log = { created: [] as CreateUserDefinedTransformerRequest[], updated: [] as UpdateUserDefinedTransformerRequest[], previews: [] as string[] };
    const saved = create(UserDefinedTransformerSchema, { id: "u1", name: "emails", source: "transform_email", config: { preserve_domain: true, max_length: 40 } });
    renderWithAPI(<TransformerEditor accountId="a1" transformers={transformers} editing={saved} onDone={() => {}} />, api(log));
    expect(screen.getByLabelText("System transformer")).toBeDisabled();
    expect(screen.getByLabelText("preserve_domain")).toBeChecked();
    expect(screen.getByLabelText("max_length")).toHaveValue("40");
    expect(screen.getByLabelText("email_type")).toHaveValue("");
    await userEvent.clear(screen.getByLabelText("max_length"));
    await userEvent.type(screen.getByLabelText("max_length"), "999");
    expect(screen.getByText("Must be at most 255.")).toBeInTheDocument();
    expect(screen.getByRole("button", { name: "Preview" })).toBeDisabled();
    await userEvent.clear(screen.getByLabelText("max_length"));
    await userEvent.type(screen.getByLabelText("max_length"), "30");
    await userEvent.selectOptions(screen.getByLabelText("email_type"), "fullname");
    await userEvent.click(screen.getByRole("button", { name: "Save changes" }));
    await waitFor(() => expect(log.updated).toHaveLength(1));
    expect(log.updated[0]).toMatchObject({ transformerId: "u1", name: "emails", config: { preserve_domain: true, max_length: 30, email_type: "fullname" } });
  });

  it("checks a regular expression parameter with ValidateUserRegexCode", async () => {
    const log = { created: [] as CreateUserDefinedTransformerRequest[], updated: [] as UpdateUserDefinedTransformerRequest[], previews: [] as string[] };
    renderWithAPI(<TransformerEditor accountId="a1" transformers={transformers} onDone={() => {}} />, api(log));
    await userEvent.selectOptions(screen.getByLabelText("System transformer"), "transform_character_scramble");
    expect(screen.getByRole("button", { name: "Check expression" })).toBeDisabled();
    fireEvent.change(screen.getByLabelText("user_provided_regex"), { target: { value: "([0-9]+" } });
    await userEvent.click(screen.getByRole("button", { name: "Check expression" }));
    expect(await screen.findByText("error parsing regexp: missing closing ): `(`")).toBeInTheDocument();
    expect(screen.getByLabelText("user_provided_regex")).toHaveAttribute("aria-invalid", "true");
    await userEvent.type(screen.getByLabelText("Name"), "digits");
    await userEvent.click(screen.getByRole("button", { name: "Save transformer" }));
    expect(log.created).toHaveLength(0);
    fireEvent.change(screen.getByLabelText("user_provided_regex"), { target: { value: "([0-9]+)" } });
    await userEvent.click(screen.getByRole("button", { name: "Check expression" }));
    expect(await screen.findByText("The expression compiles.")).toBeInTheDocument();
    await userEvent.click(screen.getByRole("button", { name: "Save transformer" }));
    await waitFor(() => expect(log.created).toHaveLength(1));
    expect(log.created[0].config).toEqual({ user_provided_regex: "([0-9]+)" });
  });

  it("parses errors and samples", () => {
    expect(parseJsError("line 3, column 7: Unexpected end of input")).toEqual({ line: 3, column: 7, message: "Unexpected end of input" });
    expect(parseJsError("too deep")).toEqual({ line: 0, column: 0, message: "too deep" });
    expect(sampleValues('42\nalice\n\n"7"\nnull')).toEqual([42, "alice", "7", null]);
  });
});

describe("neosync completions", () => {
  it("names every system transformer as the sandbox does, with its arguments, and no JavaScript one", () => {
    expect(jsFunctionName("transform_email")).toBe("transformEmail");
    expect(jsFunctionName("generate_us_state")).toBe("generateUsState");
    const { members, globals } = neosyncCompletions([
      { source: "transform_email", name: "Transform email", description: "Anonymize an email" },
      { source: "generate_uuid", name: "Generate UUID", description: "A random UUID" },
      { source: "transform_javascript", name: "JavaScript", description: "Your code" },
    ]);
    expect(members.map((m) => `${m.label}${m.detail}`)).toEqual(["transformEmail(value, params)", "generateUuid(params)"]);
    expect(globals.map((g) => g.label)).toEqual(["value", "input", "neosync"]);
  });

  it("completes members after neosync. and globals elsewhere", () => {
    const source = completionSource([{ source: "transform_email", name: "Transform email", description: "" }]);
    const ctx = (text: string) => ({ pos: text.length, explicit: false, matchBefore: (re: RegExp) => { const m = new RegExp(`(?:${re.source})$`).exec(text); return m ? { from: m.index, to: text.length, text: m[0] } : null; } });
    // eslint-disable-next-line @typescript-eslint/no-explicit-any
    const member = source(ctx("return neosync.tra") as any);
    expect(member?.from).toBe("return neosync.".length);
    expect(member?.options.map((o) => o.label)).toEqual(["transformEmail"]);
    // eslint-disable-next-line @typescript-eslint/no-explicit-any
    expect(source(ctx("return va") as any)?.options.map((o) => o.label)).toContain("value");
  });
});
