package server_test

import (
	"fmt"
	"math/rand/v2"
	"strconv"
	"strings"
	"testing"

	"github.com/neosyncio/neosync/backend/pkg/sqlschema"
)

// labelledColumn is one column of the PII scanner's labelled test schema:
// its types on both dialects, the kind it truly holds ("" for none) and
// how its values are made.
type labelledColumn struct {
	name, pgType, myType string
	label                string
	gen                  func(r *rand.Rand, i int) string
}

// labelledTable is one table of the labelled schema.
type labelledTable struct {
	name string
	cols []labelledColumn
}

var (
	labFirst = []string{"Mary", "James", "Linda", "Robert", "Patricia", "John", "Jennifer", "Michael", "Susan", "David"}
	labLast  = []string{"Smith", "Johnson", "Williams", "Brown", "Jones", "Miller", "Davis", "Wilson", "Anderson", "Taylor"}
	labWords = []string{"the", "delivery", "arrived", "late", "customer", "asked", "for", "a", "refund", "box", "was", "damaged", "please", "call", "back", "tomorrow", "order", "size", "blue", "pack"}
)

// labNull makes a generator's value NULL.
const labNull = "\x00"

func pick(r *rand.Rand, list []string) string { return list[r.IntN(len(list))] }

func digits(r *rand.Rand, n int) string {
	b := make([]byte, n)
	for i := range b {
		b[i] = byte('0' + r.IntN(10))
	}
	return string(b)
}

// luhnComplete appends the Luhn check digit to a digit string.
func luhnComplete(body string) string {
	sum := 0
	for i := len(body) - 1; i >= 0; i-- {
		d := int(body[i] - '0')
		if (len(body)-1-i)%2 == 0 {
			d *= 2
			if d > 9 {
				d -= 9
			}
		}
		sum += d
	}
	return body + strconv.Itoa((10-sum%10)%10)
}

func labCard(r *rand.Rand) string {
	prefix := pick(r, []string{"4", "51", "55", "6011"})
	return luhnComplete(prefix + digits(r, 15-len(prefix)))
}

func labSSN(r *rand.Rand) string {
	return fmt.Sprintf("%03d-%02d-%04d", 1+r.IntN(665), 1+r.IntN(99), 1+r.IntN(9999))
}

// labIBAN makes a German IBAN with valid check digits.
func labIBAN(r *rand.Rand) string {
	bban := digits(r, 18)
	rem := 0
	for _, c := range bban + "131400" { // D=13, E=14, check digits 00
		rem = (rem*10 + int(c-'0')) % 97
	}
	return fmt.Sprintf("DE%02d%s", 98-rem, bban)
}

func labPhoneNANP(r *rand.Rand) string {
	return fmt.Sprintf("(%d%02d) %d%02d-%04d", 2+r.IntN(8), r.IntN(100), 2+r.IntN(8), r.IntN(100), r.IntN(10000))
}

func labEmail(r *rand.Rand, i int) string {
	return fmt.Sprintf("%s.%s%d@%s", strings.ToLower(pick(r, labFirst)), strings.ToLower(pick(r, labLast)), i, pick(r, []string{"example.com", "mail.example.org", "corp.example.net"}))
}

func labProse(r *rand.Rand, n int) string {
	w := make([]string, n)
	for i := range w {
		w[i] = pick(r, labWords)
	}
	return strings.Join(w, " ")
}

// labelledSchema is the test schema: PII columns, look-alikes and plain
// columns. Labels are what a person reading the data would say.
func labelledSchema() []labelledTable {
	return []labelledTable{
		{"customers", []labelledColumn{
			{"email", "text", "varchar(200)", "email", labEmail},
			{"contact", "text", "varchar(200)", "email", labEmail},
			{"phone", "text", "varchar(40)", "phone", func(r *rand.Rand, _ int) string { return labPhoneNANP(r) }},
			{"mobile", "text", "varchar(40)", "phone", func(r *rand.Rand, _ int) string { return "+1" + fmt.Sprint(2+r.IntN(8)) + digits(r, 9) }},
			{"ssn", "text", "varchar(20)", "ssn", func(r *rand.Rand, _ int) string { return labSSN(r) }},
			{"national_id", "char(11)", "char(11)", "ssn", func(r *rand.Rand, _ int) string { return labSSN(r) }},
			{"card_number", "text", "varchar(30)", "card_number", func(r *rand.Rand, _ int) string { return labCard(r) }},
			{"payment_ref", "bigint", "bigint", "card_number", func(r *rand.Rand, _ int) string { return labCard(r) }},
			{"iban", "text", "varchar(40)", "iban", func(r *rand.Rand, _ int) string { return labIBAN(r) }},
			{"last_login_ip", "inet", "varchar(45)", "ipv4", func(r *rand.Rand, _ int) string {
				return fmt.Sprintf("%d.%d.%d.%d", 1+r.IntN(223), r.IntN(256), r.IntN(256), 1+r.IntN(254))
			}},
			{"device_addr", "text", "varchar(45)", "ipv6", func(r *rand.Rand, _ int) string {
				return fmt.Sprintf("2001:db8:%x:%x::%x", r.IntN(65536), r.IntN(65536), 1+r.IntN(65535))
			}},
			{"emp_ssn", "text", "varchar(9)", "ssn", func(r *rand.Rand, _ int) string { return strings.ReplaceAll(labSSN(r), "-", "") }},
			{"cell", "bigint", "bigint", "phone", func(r *rand.Rand, _ int) string { return "1" + fmt.Sprint(2+r.IntN(8)) + digits(r, 9) }},
			{"backup_email", "text", "varchar(200)", "email", func(r *rand.Rand, i int) string {
				if i%4 == 0 {
					return labNull
				}
				return labEmail(r, i)
			}},
			{"first_name", "text", "varchar(50)", "first_name", func(r *rand.Rand, _ int) string { return pick(r, labFirst) }},
			{"dob", "date", "date", "date_of_birth", func(r *rand.Rand, _ int) string {
				return fmt.Sprintf("%d-%02d-%02d", 1940+r.IntN(60), 1+r.IntN(12), 1+r.IntN(28))
			}},
			{"notes", "text", "text", "free_text", func(r *rand.Rand, i int) string {
				if i%3 == 0 {
					return labProse(r, 5) + " reach me at " + labPhoneNANP(r)
				}
				return labProse(r, 8)
			}},
		}},
		{"orders", []labelledColumn{
			// 16 digits with a card-like prefix: about one in ten passes Luhn by chance.
			{"order_number", "bigint", "bigint", "", func(r *rand.Rand, i int) string { return "4" + fmt.Sprintf("%015d", 1000003*i+r.IntN(1000)) }},
			{"product_code", "text", "varchar(30)", "", func(r *rand.Rand, _ int) string {
				return fmt.Sprintf("%c%c%02d%s", 'A'+r.IntN(26), 'A'+r.IntN(26), r.IntN(100), strings.ToUpper(strconv.FormatInt(r.Int64N(1<<60), 36)))
			}},
			{"sku", "text", "varchar(30)", "", func(r *rand.Rand, i int) string {
				return fmt.Sprintf("SKU-%05d-%s", i, pick(r, []string{"S", "M", "L", "XL"}))
			}},
			{"tracking_number", "text", "varchar(30)", "", func(r *rand.Rand, _ int) string { return "9400" + digits(r, 18) }},
			{"reference", "text", "varchar(20)", "", func(r *rand.Rand, _ int) string { return digits(r, 9) }},
			{"invoice_no", "text", "varchar(20)", "", func(r *rand.Rand, _ int) string { return "7" + digits(r, 9) }},
			{"account_number", "text", "varchar(20)", "", func(r *rand.Rand, _ int) string { return "3" + digits(r, 11) }},
			{"isbn", "text", "varchar(20)", "", func(r *rand.Rand, _ int) string { return "978" + digits(r, 10) }},
			{"zip", "text", "varchar(10)", "", func(r *rand.Rand, _ int) string { return digits(r, 5) }},
			{"amount", "numeric(10,2)", "decimal(10,2)", "", func(r *rand.Rand, _ int) string { return fmt.Sprintf("%d.%02d", r.IntN(1000), r.IntN(100)) }},
			{"quantity", "integer", "int", "", func(r *rand.Rand, _ int) string { return strconv.Itoa(1 + r.IntN(20)) }},
			{"status", "text", "varchar(20)", "", func(r *rand.Rand, _ int) string { return pick(r, []string{"new", "paid", "shipped", "returned"}) }},
			{"app_version", "text", "varchar(20)", "", func(r *rand.Rand, _ int) string { return fmt.Sprintf("%d.%d.%d", r.IntN(5), r.IntN(20), r.IntN(50)) }},
			{"description", "text", "text", "", func(r *rand.Rand, _ int) string {
				return labProse(r, 6) + fmt.Sprintf(" pack of %d, %d.%d inch", 2+r.IntN(20), r.IntN(10), r.IntN(10))
			}},
			{"created_at", "timestamp", "datetime", "", func(r *rand.Rand, _ int) string {
				return fmt.Sprintf("2024-%02d-%02d 10:%02d:00", 1+r.IntN(12), 1+r.IntN(28), r.IntN(60))
			}},
		}},
		{"contacts", []labelledColumn{
			{"work_phone", "text", "varchar(40)", "phone", func(r *rand.Rand, _ int) string { return "+44 20 " + digits(r, 4) + " " + digits(r, 4) }},
			{"fax", "text", "varchar(40)", "phone", func(r *rand.Rand, _ int) string { return "020 " + digits(r, 4) + " " + digits(r, 4) }},
			{"email_address", "text", "varchar(200)", "email", labEmail},
			{"bank_account", "text", "varchar(40)", "iban", func(r *rand.Rand, _ int) string {
				s := labIBAN(r)
				return s[:4] + " " + s[4:8] + " " + s[8:12] + " " + s[12:16] + " " + s[16:20] + " " + s[20:]
			}},
			{"remote_addr", "text", "varchar(45)", "ipv4", func(r *rand.Rand, _ int) string {
				return fmt.Sprintf("10.%d.%d.%d", r.IntN(256), r.IntN(256), 1+r.IntN(254))
			}},
			{"company", "text", "varchar(80)", "", func(r *rand.Rand, _ int) string {
				return pick(r, []string{"Acme", "Globex", "Initech", "Umbrella"}) + " " + pick(r, []string{"Inc", "LLC", "Corp"})
			}},
			{"website", "text", "varchar(80)", "", func(r *rand.Rand, i int) string { return fmt.Sprintf("https://www.example%d.com/about", i) }},
		}},
	}
}

// labelledStatements returns the DDL and inserts of the labelled schema
// (rows rows per table) for a dialect, every identifier quoted by it.
func labelledStatements(t *testing.T, d sqlschema.Dialect, schema string, rows int) []string {
	t.Helper()
	r := rand.New(rand.NewPCG(17, 17))
	q := func(name string) string {
		s, err := d.QuoteIdentifier(name)
		if err != nil {
			t.Fatal(err)
		}
		return s
	}
	var stmts []string
	for _, tb := range labelledSchema() {
		table, err := d.QualifiedName(sqlschema.TableName{Schema: schema, Table: tb.name})
		if err != nil {
			t.Fatal(err)
		}
		defs := []string{q("id") + " integer PRIMARY KEY"}
		names := []string{q("id")}
		for _, c := range tb.cols {
			typ := c.pgType
			if d == sqlschema.DialectMySQL {
				typ = c.myType
			}
			defs = append(defs, q(c.name)+" "+typ)
			names = append(names, q(c.name))
		}
		stmts = append(stmts, "CREATE TABLE "+table+" ("+strings.Join(defs, ", ")+")")
		var values []string
		for i := range rows {
			vals := []string{strconv.Itoa(i + 1)}
			for _, c := range tb.cols {
				v := c.gen(r, i)
				if v == labNull {
					vals = append(vals, "NULL")
					continue
				}
				vals = append(vals, "'"+strings.ReplaceAll(v, "'", "''")+"'")
			}
			values = append(values, "("+strings.Join(vals, ", ")+")")
		}
		stmts = append(stmts, "INSERT INTO "+table+" ("+strings.Join(names, ", ")+") VALUES "+strings.Join(values, ", "))
	}
	return stmts
}
