package spec

import "reflect"

// Sync is a `neosync sync --config FILE` document: the same settings as
// the command's flags, in snake_case. Flags given on the command line win
// over the file.
type Sync struct {
	// Connection is the source connection's name or id.
	Connection string `yaml:"connection"`
	// Job syncs a job's source with its transformers instead.
	Job string `yaml:"job"`
	// DestinationConnectionURL is the local database written to.
	DestinationConnectionURL string   `yaml:"destination_connection_url"`
	InitSchema               bool     `yaml:"init_schema"`
	TruncateBeforeInsert     bool     `yaml:"truncate_before_insert"`
	TruncateCascade          bool     `yaml:"truncate_cascade"`
	OnConflictDoNothing      bool     `yaml:"on_conflict_do_nothing"`
	IncludeTables            []string `yaml:"include_tables"`
	ExcludeTables            []string `yaml:"exclude_tables"`
}

// ParseSync reads a sync configuration file. Unknown keys are errors with
// their line; ${VAR} expands as in neosync.yaml.
func ParseSync(name string, data []byte, env LookupEnv) (*Sync, error) {
	var s Sync
	if err := decode(name, data, env, reflect.TypeOf(s), &s); err != nil {
		return nil, err
	}
	return &s, nil
}
