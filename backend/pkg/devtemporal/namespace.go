package devtemporal

import "go.temporal.io/api/workflowservice/v1"

func describeNamespace(ns string) *workflowservice.DescribeNamespaceRequest {
	return &workflowservice.DescribeNamespaceRequest{Namespace: ns}
}
