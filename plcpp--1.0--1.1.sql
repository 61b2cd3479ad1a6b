-- plcpp 1.0 -> 1.1. Version 1.0 is released: plcpp--1.0.sql is never edited again; every change
-- of plcpp's SQL objects from now on goes here (and into plcpp--1.1.sql, the fresh install).
\echo Use "ALTER EXTENSION plcpp UPDATE TO '1.1'" to load this file. \quit
