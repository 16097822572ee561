import { describe, expect, it } from "vitest";
import { render, screen } from "@testing-library/react";
import { CronHint, formatLocal } from "./schedule";

describe("CronHint", () => {
  const now = Date.UTC(2026, 0, 30, 10, 17);
  it("reads a valid schedule and names its next run in the viewer's zone", () => {
    render(<CronHint expr="30 4 * * 1-5" now={now} />);
    expect(screen.getByTestId("cron-description")).toHaveTextContent(`At 04:30, on weekdays (UTC). Next run ${formatLocal(new Date(Date.UTC(2026, 1, 2, 4, 30)))}`);
  });
  it("says why a schedule would be refused", () => {
    render(<CronHint expr="every day" now={now} />);
    expect(screen.getByRole("alert")).toHaveTextContent('"every day" is not a valid schedule: want five fields');
  });
  it("says an empty schedule means manual runs", () => {
    render(<CronHint expr="" now={now} />);
    expect(screen.getByText(/Runs only when started by hand/)).toBeInTheDocument();
  });
});
