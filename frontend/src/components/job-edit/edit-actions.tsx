"use client";

import { Button, ErrorBox } from "../ui";

/**
 * EditActions ends the edit form of a job page card: the form's own error
 * (an alert), the error of the save call, and Cancel / Save. Without
 * onSave the Save button submits the enclosing form.
 */
export function EditActions({
  formError,
  saveError,
  saveTitle,
  label,
  onCancel,
  onSave,
  busy,
  disabled,
}: {
  formError?: string;
  saveError: unknown;
  saveTitle: string;
  label: string;
  onCancel: () => void;
  onSave?: () => void;
  busy?: boolean;
  disabled?: boolean;
}) {
  return (
    <>
      {formError && (
        <p role="alert" className="text-sm text-red-700">
          {formError}
        </p>
      )}
      <ErrorBox error={saveError} title={saveTitle} />
      <div className="flex justify-end gap-2">
        <Button onClick={onCancel}>Cancel</Button>
        <Button type={onSave ? "button" : "submit"} variant="primary" onClick={onSave} busy={busy} disabled={disabled}>
          {label}
        </Button>
      </div>
    </>
  );
}
