DROP TABLE IF EXISTS user_defined_transformers;
