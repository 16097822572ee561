import { useQuery } from "@connectrpc/connect-query";
import type { JsonObject } from "@bufbuild/protobuf";
import { ConnectionDataService } from "@/gen/mgmt/v1alpha1/connection_data_pb";
import type { PiiFinding } from "@/gen/mgmt/v1alpha1/pii_pb";
import type { SystemTransformer } from "@/gen/mgmt/v1alpha1/transformer_pb";
import { bySource, columnKey, type ColumnChoice } from "./mappings";
import { draftFromConfig } from "./transformer-params";

/** PiiSuggestion is one column the API's PII scan flagged, with the editor choice that applies its suggested transformer. */
export type PiiSuggestion = { key: string; finding: PiiFinding; choice: ColumnChoice };

/** suggestionsOf turns the scan's findings into editor choices, keyed by column; a suggestion naming a transformer this job type cannot use is dropped. */
export function suggestionsOf(findings: PiiFinding[], ts: SystemTransformer[]): PiiSuggestion[] {
  const idx = bySource(ts);
  const out: PiiSuggestion[] = [];
  for (const f of findings) {
    const source = f.suggestedTransformer?.source ?? "";
    const def = idx.get(source);
    if (!def) continue;
    const config = (f.suggestedTransformer?.config as JsonObject | undefined) ?? {};
    out.push({ key: columnKey(f.schema, f.table, f.column), finding: f, choice: { source, params: draftFromConfig(def, config) } });
  }
  return out;
}

/**
 * usePiiSuggestions asks the API to scan the source for personal data
 * (ScanConnectionPii: a bounded sample of every table) once the mapping
 * step is shown, and returns the suggestions for the job's transformers.
 */
export function usePiiSuggestions(connectionId: string, enabled: boolean, ts: SystemTransformer[]) {
  const scan = useQuery(ConnectionDataService.method.scanConnectionPii, { connectionId }, { enabled: enabled && !!connectionId, staleTime: 60_000 });
  return { suggestions: suggestionsOf(scan.data?.findings ?? [], ts), loading: scan.isLoading && enabled && !!connectionId, error: scan.error };
}
