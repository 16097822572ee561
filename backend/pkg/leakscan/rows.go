package leakscan

// RowCounter counts, during a copy, the rows that kept every one of a
// table's quasi-identifier columns (its small-domain columns: names,
// cities, ZIP codes, …) equal to their own source values: each column
// alone may match by chance, but a row matching on all of them is a
// re-identifiable row. Not safe for concurrent use: one per goroutine,
// combined with Merge.
type RowCounter struct {
	need int
	hits int
	rows int64
	reid int64
}

// NewRowCounter returns a counter for rows of need quasi-identifiers.
func NewRowCounter(need int) *RowCounter { return &RowCounter{need: need} }

// Hit records that a quasi-identifier of the current row equals its own
// source value. A nil counter records nothing.
func (c *RowCounter) Hit() {
	if c != nil {
		c.hits++
	}
}

// EndRow closes the current row. A nil counter records nothing.
func (c *RowCounter) EndRow() {
	if c == nil {
		return
	}
	c.rows++
	if c.hits >= c.need {
		c.reid++
	}
	c.hits = 0
}

// Merge adds o's rows to c.
func (c *RowCounter) Merge(o *RowCounter) {
	if o != nil {
		c.rows += o.rows
		c.reid += o.reid
	}
}

// RowCount is what a RowCounter found over a table's copy.
type RowCount struct {
	// Columns are the quasi-identifiers.
	Columns []string `json:"columns"`
	// Rows counted, and those that kept every quasi-identifier.
	Rows         int64 `json:"rows"`
	Reidentified int64 `json:"reidentified"`
}

// Count returns c's totals for the quasi-identifiers columns.
func (c *RowCounter) Count(columns []string) RowCount {
	return RowCount{Columns: columns, Rows: c.rows, Reidentified: c.reid}
}
