import { describe, expect, it } from "vitest";
import { create } from "@bufbuild/protobuf";
import { render, screen } from "@testing-library/react";
import userEvent from "@testing-library/user-event";
import { useState } from "react";
import { SystemTransformerSchema } from "@/gen/mgmt/v1alpha1/transformer_pb";
import { configFromDraft, paramApplies, summarizeDraft, type ParamDraft } from "@/lib/transformer-params";
import { ParamForm } from "./param-form";

// hash is transform_hash as the API declares it: algorithm and salt apply
// to mode salted only, and mode has no static default (the job's PRF
// version decides).
const hash = create(SystemTransformerSchema, {
  source: "transform_hash",
  name: "Hash",
  parameters: [
    { name: "mode", type: "string", description: "hmac or salted", allowedValues: ["hmac", "salted"] },
    { name: "algorithm", type: "string", description: "The hash function of the salted mode", allowedValues: ["sha256", "sha512", "md5"], defaultValue: { kind: { case: "stringValue", value: "sha256" } }, appliesWhen: { parameter: "mode", values: ["salted"] } },
    { name: "salt", type: "string", description: "Text hashed first", appliesWhen: { parameter: "mode", values: ["salted"] } },
  ],
});

function Harness({ initial }: { initial: ParamDraft }) {
  const [draft, setDraft] = useState<ParamDraft>(initial);
  return <ParamForm transformer={hash} value={draft} onChange={setDraft} idPrefix="p" />;
}

describe("parameters that apply under another's value", () => {
  it("paramApplies follows the controlling parameter, and says maybe while it is left to a job-dependent default", () => {
    const algorithm = hash.parameters[1];
    expect(paramApplies(hash, algorithm, {})).toBe("maybe");
    expect(paramApplies(hash, algorithm, { mode: "salted" })).toBe("yes");
    expect(paramApplies(hash, algorithm, { mode: "hmac" })).toBe("no");
    expect(paramApplies(hash, hash.parameters[0], {})).toBe("yes");
  });

  it("a value that no longer applies is neither sent nor summarized", () => {
    const d = { mode: "hmac", algorithm: "md5", salt: "s" };
    expect(configFromDraft(hash, d)).toEqual({ mode: "hmac" });
    expect(summarizeDraft(hash, d)).toBe("mode=hmac");
    expect(configFromDraft(hash, { ...d, mode: "salted" })).toEqual({ mode: "salted", algorithm: "md5", salt: "s" });
  });

  it("the form shows algorithm for salted mode only, labelled while the mode is the default", async () => {
    render(<Harness initial={{}} />);
    // Default mode: shown, with its condition in the label.
    expect(screen.getByLabelText("algorithm (only when mode is salted)")).toBeTruthy();
    const mode = screen.getByLabelText("mode", { exact: true });
    await userEvent.selectOptions(mode, "hmac");
    expect(screen.queryByLabelText(/algorithm/)).toBeNull();
    expect(screen.queryByLabelText(/salt/)).toBeNull();
    await userEvent.selectOptions(mode, "salted");
    expect(screen.getByLabelText("algorithm", { exact: true })).toBeTruthy();
    expect(screen.getByLabelText("salt", { exact: true })).toBeTruthy();
  });
});
