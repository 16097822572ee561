import { describe, expect, it } from "vitest";
import { render, screen } from "@testing-library/react";
import { create } from "@bufbuild/protobuf";
import { AwsS3ConnectionConfigSchema } from "@/gen/mgmt/v1alpha1/connection_pb";
import { BucketDetails } from "./bucket-details";

describe("BucketDetails", () => {
  it("shows the bucket with its secret masked and the endpoint's addressing", () => {
    const cfg = create(AwsS3ConnectionConfigSchema, {
      bucket: "exports", pathPrefix: "team/a", endpoint: "http://127.0.0.1:7070", forcePathStyle: true,
      credentials: { accessKeyId: "AKIA1", secretAccessKey: "********" },
    });
    render(<BucketDetails cfg={cfg} />);
    expect(screen.getByText("exports")).toBeTruthy();
    expect(screen.getByText("http://127.0.0.1:7070 (path-style)")).toBeTruthy();
    expect(screen.getByText("AKIA1 (secret ********)")).toBeTruthy();
    expect(screen.getByText("us-east-1")).toBeTruthy();
  });
});
