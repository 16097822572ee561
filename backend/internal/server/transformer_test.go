package server_test

import (
	"encoding/json"
	"net/mail"
	"strings"
	"testing"

	"connectrpc.com/connect"
	"google.golang.org/protobuf/types/known/structpb"

	mgmt "github.com/neosyncio/neosync/backend/gen/go/protos/mgmt/v1alpha1"
	"github.com/neosyncio/neosync/backend/internal/apitest"
	"github.com/neosyncio/neosync/backend/pkg/testdb"
)

func mustStruct(t *testing.T, m map[string]any) *structpb.Struct {
	t.Helper()
	s, err := structpb.NewStruct(m)
	if err != nil {
		t.Fatal(err)
	}
	return s
}

func TestSystemTransformers(t *testing.T) {
	t.Parallel()
	api := apitest.Start(t, apitest.Options{})
	c := api.Clients("")
	ctx := apitest.Ctx(t)
	resp, err := c.Transformers.GetSystemTransformers(ctx, connect.NewRequest(&mgmt.GetSystemTransformersRequest{}))
	if err != nil {
		t.Fatal(err)
	}
	bySource := map[string]*mgmt.SystemTransformer{}
	for _, tr := range resp.Msg.GetTransformers() {
		bySource[tr.GetSource()] = tr
	}
	for _, want := range []string{"passthrough", "generate_null", "generate_default", "transform_email", "generate_email", "transform_hash", "transform_javascript", "transform_identity_scramble", "transform_character_scramble"} {
		if bySource[want] == nil {
			t.Errorf("catalogue lacks %s", want)
		}
	}
	email := bySource["transform_email"]
	if email == nil || !email.GetSupportsConsistentMode() || len(email.GetParameters()) == 0 {
		t.Fatalf("transform_email = %v", email)
	}
	one, err := c.Transformers.GetSystemTransformerBySource(ctx, connect.NewRequest(&mgmt.GetSystemTransformerBySourceRequest{Source: "transform_email"}))
	if err != nil || one.Msg.GetTransformer().GetName() == "" {
		t.Fatalf("GetSystemTransformerBySource = %v, %v", one, err)
	}
	_, err = c.Transformers.GetSystemTransformerBySource(ctx, connect.NewRequest(&mgmt.GetSystemTransformerBySourceRequest{Source: "nope"}))
	wantCode(t, "unknown source", err, connect.CodeNotFound)
}

func TestUserDefinedTransformers(t *testing.T) {
	t.Parallel()
	api := apitest.Start(t, apitest.Options{})
	c := api.Clients("")
	ctx := apitest.Ctx(t)
	accountID := personalAccount(t, c)

	created, err := c.Transformers.CreateUserDefinedTransformer(ctx, connect.NewRequest(&mgmt.CreateUserDefinedTransformerRequest{
		AccountId: accountID, Name: "company email", Description: "keeps the domain", Source: "transform_email",
		Config: mustStruct(t, map[string]any{"preserve_domain": true}),
	}))
	if err != nil {
		t.Fatalf("CreateUserDefinedTransformer: %v", err)
	}
	udt := created.Msg.GetTransformer()
	if udt.GetConfig().GetFields()["preserve_domain"].GetBoolValue() != true {
		t.Fatalf("config did not round-trip: %v", udt)
	}
	for name, tc := range map[string]struct {
		req   *mgmt.CreateUserDefinedTransformerRequest
		field string
	}{
		"unknown source": {&mgmt.CreateUserDefinedTransformerRequest{AccountId: accountID, Name: "x", Source: "transform_nothing"}, "source"},
		"bad param type": {&mgmt.CreateUserDefinedTransformerRequest{AccountId: accountID, Name: "x", Source: "transform_email", Config: mustStruct(t, map[string]any{"preserve_domain": "yes"})}, "config.preserve_domain"},
		"unknown param":  {&mgmt.CreateUserDefinedTransformerRequest{AccountId: accountID, Name: "x", Source: "transform_email", Config: mustStruct(t, map[string]any{"typo": 1})}, "config.typo"},
		"bad name":       {&mgmt.CreateUserDefinedTransformerRequest{AccountId: accountID, Name: "", Source: "transform_email"}, "name"},
	} {
		_, err := c.Transformers.CreateUserDefinedTransformer(ctx, connect.NewRequest(tc.req))
		wantCode(t, name, err, connect.CodeInvalidArgument)
		if !strings.Contains(err.Error(), tc.field) {
			t.Errorf("%s: %q does not name %s", name, err, tc.field)
		}
	}
	_, err = c.Transformers.CreateUserDefinedTransformer(ctx, connect.NewRequest(&mgmt.CreateUserDefinedTransformerRequest{AccountId: accountID, Name: "company email", Source: "passthrough"}))
	wantCode(t, "duplicate", err, connect.CodeAlreadyExists)

	avail, err := c.Transformers.IsTransformerNameAvailable(ctx, connect.NewRequest(&mgmt.IsTransformerNameAvailableRequest{AccountId: accountID, TransformerName: "company email"}))
	if err != nil || avail.Msg.GetIsAvailable() {
		t.Fatalf("IsTransformerNameAvailable = %v, %v", avail, err)
	}
	upd, err := c.Transformers.UpdateUserDefinedTransformer(ctx, connect.NewRequest(&mgmt.UpdateUserDefinedTransformerRequest{
		TransformerId: udt.GetId(), Name: "company email v2", Config: mustStruct(t, map[string]any{"preserve_domain": false, "preserve_length": true}),
	}))
	if err != nil || upd.Msg.GetTransformer().GetName() != "company email v2" {
		t.Fatalf("UpdateUserDefinedTransformer = %v, %v", upd, err)
	}
	list, err := c.Transformers.GetUserDefinedTransformers(ctx, connect.NewRequest(&mgmt.GetUserDefinedTransformersRequest{AccountId: accountID}))
	if err != nil || len(list.Msg.GetTransformers()) != 1 {
		t.Fatalf("GetUserDefinedTransformers = %v, %v", list, err)
	}

	// A job may use it; then it cannot be deleted.
	srcURL := testdb.Postgres(t, "neosync_udt")
	execPG(t, srcURL, apitest.PostgresFixture)
	src := createConnection(t, c, accountID, "src", pgConfig(srcURL))
	dst := createConnection(t, c, accountID, "dst", pgConfig(testdb.Postgres(t, "neosync_udt")))
	udtID := udt.GetId()
	job, err := c.Jobs.CreateJob(ctx, connect.NewRequest(&mgmt.CreateJobRequest{
		AccountId: accountID, JobName: "uses-udt", Source: syncSource(src.GetId()),
		Destinations: []*mgmt.JobDestinationCreate{{ConnectionId: dst.GetId()}},
		Mappings:     []*mgmt.JobMapping{{Schema: "shop", Table: "stores", Column: "email", Transformer: &mgmt.JobMappingTransformer{UserDefinedTransformerId: &udtID}}},
	}))
	if err != nil {
		t.Fatalf("CreateJob with a user-defined transformer: %v", err)
	}
	_, err = c.Transformers.DeleteUserDefinedTransformer(ctx, connect.NewRequest(&mgmt.DeleteUserDefinedTransformerRequest{TransformerId: udtID}))
	wantCode(t, "delete used transformer", err, connect.CodeFailedPrecondition)
	if _, err := c.Jobs.DeleteJob(ctx, connect.NewRequest(&mgmt.DeleteJobRequest{Id: job.Msg.GetJob().GetId()})); err != nil {
		t.Fatal(err)
	}
	if _, err := c.Transformers.DeleteUserDefinedTransformer(ctx, connect.NewRequest(&mgmt.DeleteUserDefinedTransformerRequest{TransformerId: udtID})); err != nil {
		t.Fatalf("DeleteUserDefinedTransformer: %v", err)
	}
	_, err = c.Transformers.GetUserDefinedTransformerById(ctx, connect.NewRequest(&mgmt.GetUserDefinedTransformerByIdRequest{TransformerId: udtID}))
	wantCode(t, "deleted", err, connect.CodeNotFound)

	// Job mappings are checked against the catalogue.
	_, err = c.Jobs.CreateJob(ctx, connect.NewRequest(&mgmt.CreateJobRequest{
		AccountId: accountID, JobName: "bad-mapping", Source: syncSource(src.GetId()),
		Destinations: []*mgmt.JobDestinationCreate{{ConnectionId: dst.GetId()}},
		Mappings:     []*mgmt.JobMapping{mapping("shop", "stores", "email", "transform_unicorns")},
	}))
	wantCode(t, "unknown transformer in mapping", err, connect.CodeInvalidArgument)
	if !strings.Contains(err.Error(), "mappings[0].transformer.source") {
		t.Errorf("error %q does not name the mapping", err)
	}
}

func TestValidateCodeAndPreview(t *testing.T) {
	t.Parallel()
	api := apitest.Start(t, apitest.Options{})
	c := api.Clients("")
	ctx := apitest.Ctx(t)
	accountID := personalAccount(t, c)

	ok, err := c.Transformers.ValidateUserJavascriptCode(ctx, connect.NewRequest(&mgmt.ValidateUserJavascriptCodeRequest{AccountId: accountID, Code: "return value + '!';"}))
	if err != nil || !ok.Msg.GetValid() {
		t.Fatalf("valid JS = %v, %v", ok, err)
	}
	bad, err := c.Transformers.ValidateUserJavascriptCode(ctx, connect.NewRequest(&mgmt.ValidateUserJavascriptCodeRequest{AccountId: accountID, Code: "let x = ;\nreturn x"}))
	if err != nil || bad.Msg.GetValid() || !strings.Contains(bad.Msg.GetError(), "1") {
		t.Fatalf("invalid JS = %v, %v", bad, err)
	}
	re, err := c.Transformers.ValidateUserRegexCode(ctx, connect.NewRequest(&mgmt.ValidateUserRegexCodeRequest{AccountId: accountID, UserProvidedRegex: "[a-z"}))
	if err != nil || re.Msg.GetValid() || re.Msg.GetError() == "" {
		t.Fatalf("invalid regex = %v, %v", re, err)
	}

	key := "preview-key"
	samples := []*structpb.Value{structpb.NewStringValue("ann@example.com"), structpb.NewStringValue("ann@example.com"), structpb.NewStringValue("bob@example.com")}
	prev, err := c.Transformers.PreviewTransformer(ctx, connect.NewRequest(&mgmt.PreviewTransformerRequest{
		AccountId: accountID, Source: "transform_email", Config: mustStruct(t, map[string]any{"preserve_domain": true}), SampleValues: samples, Key: &key,
	}))
	if err != nil {
		t.Fatalf("PreviewTransformer: %v", err)
	}
	outs := prev.Msg.GetOutputs()
	if len(outs) != 3 || outs[0].GetStringValue() != outs[1].GetStringValue() || outs[0].GetStringValue() == outs[2].GetStringValue() {
		t.Fatalf("consistent preview = %v", outs)
	}
	if _, err := mail.ParseAddress(outs[0].GetStringValue()); err != nil || !strings.HasSuffix(outs[0].GetStringValue(), "@example.com") || outs[0].GetStringValue() == "ann@example.com" {
		t.Fatalf("preview output %q is not an anonymized email at the same domain", outs[0].GetStringValue())
	}
}

func TestAnonymizeJSON(t *testing.T) {
	t.Parallel()
	api := apitest.Start(t, apitest.Options{})
	c := api.Clients("")
	ctx := apitest.Ctx(t)
	accountID := personalAccount(t, c)
	emailT := &mgmt.JobMappingTransformer{Source: "transform_email", Config: mustStruct(t, map[string]any{"preserve_domain": true})}
	nullT := &mgmt.JobMappingTransformer{Source: "generate_null"}

	single, err := c.Anonymize.AnonymizeSingle(ctx, connect.NewRequest(&mgmt.AnonymizeSingleRequest{
		AccountId: accountID, InputData: `{"user":{"email":"ann@corp.com","age":41,"vip":true},"tags":["a"]}`,
		TransformerMappings: []*mgmt.TransformerMapping{{Expression: ".user.email", Transformer: emailT}},
		DefaultTransformers: &mgmt.DefaultTransformers{Numbers: nullT},
	}))
	if err != nil {
		t.Fatalf("AnonymizeSingle: %v", err)
	}
	var doc struct {
		User struct {
			Email string `json:"email"`
			Age   *int   `json:"age"`
			VIP   bool   `json:"vip"`
		} `json:"user"`
		Tags []string `json:"tags"`
	}
	if err := json.Unmarshal([]byte(single.Msg.GetOutputData()), &doc); err != nil {
		t.Fatal(err)
	}
	if doc.User.Email == "ann@corp.com" || !strings.HasSuffix(doc.User.Email, "@corp.com") || doc.User.Age != nil || !doc.User.VIP || doc.Tags[0] != "a" {
		t.Fatalf("anonymized document = %s", single.Msg.GetOutputData())
	}

	many, err := c.Anonymize.AnonymizeMany(ctx, connect.NewRequest(&mgmt.AnonymizeManyRequest{
		AccountId: accountID, InputData: []string{`{"user":{"email":"a@x.io"}}`, `not json`, `{"user":{"email":"b@x.io"}}`},
		TransformerMappings: []*mgmt.TransformerMapping{{Expression: ".user.email", Transformer: emailT}},
	}))
	if err != nil {
		t.Fatalf("AnonymizeMany: %v", err)
	}
	if len(many.Msg.GetErrors()) != 1 || many.Msg.GetErrors()[0].GetInputIndex() != 1 || many.Msg.GetOutputData()[2] == "" {
		t.Fatalf("AnonymizeMany = %v", many.Msg)
	}
	_, err = c.Anonymize.AnonymizeSingle(ctx, connect.NewRequest(&mgmt.AnonymizeSingleRequest{
		AccountId: accountID, InputData: `{}`,
		TransformerMappings: []*mgmt.TransformerMapping{{Expression: ".a[", Transformer: emailT}},
	}))
	wantCode(t, "bad expression", err, connect.CodeInvalidArgument)
	if !strings.Contains(err.Error(), "transformer_mappings[0].expression") {
		t.Errorf("error %q does not name the expression", err)
	}
}
