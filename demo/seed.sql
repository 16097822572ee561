-- A sample "production" e-commerce database full of (fake) PII for
-- `make demo`: ten tables, about 110k rows, a self-reference
-- (employees.manager_id) and a foreign-key cycle (departments ↔ employees).
DROP SCHEMA IF EXISTS shop CASCADE;
CREATE SCHEMA shop;
SET search_path = shop;

CREATE TABLE departments (
  id               int PRIMARY KEY,
  name             text NOT NULL UNIQUE,
  head_employee_id int
);
CREATE TABLE employees (
  id            int PRIMARY KEY,
  department_id int NOT NULL REFERENCES departments (id),
  manager_id    int REFERENCES employees (id),
  full_name     text NOT NULL,
  email         text NOT NULL UNIQUE,
  ssn           text NOT NULL,
  salary        numeric(10,2) NOT NULL
);
ALTER TABLE departments ADD FOREIGN KEY (head_employee_id) REFERENCES employees (id);
CREATE TABLE customers (
  id         bigint PRIMARY KEY,
  first_name text NOT NULL,
  last_name  text NOT NULL,
  email      text NOT NULL UNIQUE,
  phone      text,
  birth_date date,
  created_at timestamptz NOT NULL
);
CREATE TABLE addresses (
  id          bigint PRIMARY KEY,
  customer_id bigint NOT NULL REFERENCES customers (id),
  street      text NOT NULL,
  city        text NOT NULL,
  state       text NOT NULL,
  zipcode     text NOT NULL
);
CREATE TABLE payment_cards (
  id          bigint PRIMARY KEY,
  customer_id bigint NOT NULL REFERENCES customers (id),
  card_number text NOT NULL,
  expires     text NOT NULL
);
CREATE TABLE categories (id int PRIMARY KEY, name text NOT NULL UNIQUE);
CREATE TABLE products (
  id          int PRIMARY KEY,
  category_id int NOT NULL REFERENCES categories (id),
  name        text NOT NULL,
  price       numeric(10,2) NOT NULL
);
CREATE TABLE orders (
  id          bigint PRIMARY KEY,
  customer_id bigint NOT NULL REFERENCES customers (id),
  address_id  bigint REFERENCES addresses (id),
  placed_at   timestamptz NOT NULL,
  status      text NOT NULL
);
CREATE TABLE order_items (
  order_id   bigint NOT NULL REFERENCES orders (id),
  line       int NOT NULL,
  product_id int NOT NULL REFERENCES products (id),
  quantity   int NOT NULL,
  PRIMARY KEY (order_id, line)
);
CREATE TABLE reviews (
  id          bigint PRIMARY KEY,
  customer_id bigint NOT NULL REFERENCES customers (id),
  product_id  int NOT NULL REFERENCES products (id),
  rating      int NOT NULL,
  body        text
);

CREATE TEMP TABLE fn(i int, v text);
INSERT INTO fn SELECT row_number() OVER (), v FROM unnest(ARRAY['Olivia','Liam','Emma','Noah','Ava','Elijah','Sophia','James','Isabella','Lucas','Mia','Mateo','Amelia','Levi','Harper','Asher','Evelyn','Ethan','Abigail','Leo','Emily','Jack','Ella','Henry','Scarlett','Owen','Grace','Daniel','Chloe','Aiden']) v;
CREATE TEMP TABLE ln(i int, v text);
INSERT INTO ln SELECT row_number() OVER (), v FROM unnest(ARRAY['Smith','Johnson','Williams','Brown','Jones','Garcia','Miller','Davis','Rodriguez','Martinez','Hernandez','Lopez','Gonzalez','Wilson','Anderson','Thomas','Taylor','Moore','Jackson','Martin','Lee','Perez','Thompson','White','Harris','Sanchez','Clark','Ramirez','Lewis','Robinson']) v;
CREATE TEMP TABLE ct(i int, city text, st text);
INSERT INTO ct SELECT row_number() OVER (), c, s FROM (VALUES ('Austin','TX'),('Denver','CO'),('Seattle','WA'),('Boston','MA'),('Chicago','IL'),('Portland','OR'),('Atlanta','GA'),('Phoenix','AZ'),('Miami','FL'),('Raleigh','NC')) AS x(c, s);

INSERT INTO departments SELECT g, (ARRAY['Engineering','Sales','Marketing','Support','Finance','Legal','People','Operations','Design','Data'])[g], NULL FROM generate_series(1, 10) g;
INSERT INTO employees
SELECT g, 1 + (g % 10), CASE WHEN g <= 10 THEN NULL ELSE 1 + (g % 10) END,
       f.v || ' ' || l.v, lower(f.v) || '.' || lower(l.v) || g || '@acme-corp.com',
       lpad((100 + g % 800)::text, 3, '0') || '-' || lpad((10 + g % 89)::text, 2, '0') || '-' || lpad((1000 + g * 7 % 8999)::text, 4, '0'),
       40000 + (g * 137 % 90000)
FROM generate_series(1, 200) g
JOIN fn f ON f.i = 1 + g % 30 JOIN ln l ON l.i = 1 + (g / 30) % 30;
UPDATE departments SET head_employee_id = id;

INSERT INTO customers
SELECT g, f.v, l.v, lower(f.v) || '.' || lower(l.v) || g || '@example.com',
       '+1' || (2000000000 + g * 7919 % 7999999999)::text,
       date '1950-01-01' + (g * 37 % 18000),
       timestamptz '2020-01-01' + g * interval '47 minutes'
FROM generate_series(1, 10000) g
JOIN fn f ON f.i = 1 + g % 30 JOIN ln l ON l.i = 1 + (g / 30) % 30;
INSERT INTO addresses
SELECT g, 1 + (g % 10000), (100 + g % 9000) || ' ' || (ARRAY['Main','Oak','Pine','Maple','Cedar','Elm','Lake','Hill'])[1 + g % 8] || ' St', c.city, c.st, lpad((10000 + g * 31 % 89999)::text, 5, '0')
FROM generate_series(1, 12000) g JOIN ct c ON c.i = 1 + g % 10;
INSERT INTO payment_cards
SELECT g, g, '4' || lpad((g * 104729 % 1000000000000000)::text, 15, '0'), lpad((1 + g % 12)::text, 2, '0') || '/' || (27 + g % 5)
FROM generate_series(1, 10000) g;
INSERT INTO categories SELECT g, 'Category ' || g FROM generate_series(1, 20) g;
INSERT INTO products SELECT g, 1 + g % 20, 'Product ' || g, 5 + (g * 13 % 500) FROM generate_series(1, 500) g;
INSERT INTO orders
SELECT g, 1 + (g * 7 % 10000), 1 + (g % 12000), timestamptz '2023-01-01' + g * interval '17 minutes', (ARRAY['new','paid','shipped','delivered'])[1 + g % 4]
FROM generate_series(1, 30000) g;
INSERT INTO order_items SELECT 1 + (g % 30000), 1 + g / 30000, 1 + g % 500, 1 + g % 4 FROM generate_series(0, 44999) g;
INSERT INTO reviews
SELECT g, 1 + (g * 13 % 10000), 1 + g % 500, 1 + g % 5, 'I am ' || f.v || ' from ' || c.city || '. Great product!'
FROM generate_series(1, 5000) g JOIN fn f ON f.i = 1 + g % 30 JOIN ct c ON c.i = 1 + g % 10;
ANALYZE;
