{#- Select from a raw Parquet source with a fixed, typed set of columns.

    The raw layer is written by ingest and may not exist yet on a fresh THADS_HOME (no
    data_quality files before the first validation, no targets before the first targets
    file). `read_parquet` fails on an empty glob, so at execution time this macro looks for
    files first and falls back to an empty relation with the same typed columns; columns a
    file does not carry (e.g. `boundary` in a targets file for a year before the merger)
    come back as typed nulls. The source is always referenced so lineage and docs stay right.

    columns: {name: duckdb type}, in output order.
    new_batches_only: for an incremental model over a folder of `<batch_id>.parquet` files
    (docs/interfaces.md), read only the files whose batch is not in the model yet, so a
    monthly load reads one new file instead of the whole history. -#}
{% macro raw_source(table_name, columns, new_batches_only=false) -%}
    {%- set relation = source('raw', table_name) -%}
    {%- if not execute -%}
        select * from {{ relation }}
    {%- else -%}
        {%- set location = raw_location(table_name) -%}
        {%- set files = run_query(
            "select file from glob('" ~ location ~ "') order by file"
        ).columns[0].values() | list -%}
        {%- if new_batches_only and is_incremental() -%}
            {%- set loaded = run_query(
                "select distinct batch_id from " ~ this ~ " where batch_id is not null"
            ).columns[0].values() | list -%}
            {%- set new_files = [] -%}
            {%- for file in files -%}
                {%- if (file.split('/')[-1] | replace('.parquet', '')) not in loaded -%}
                    {%- do new_files.append(file) -%}
                {%- endif -%}
            {%- endfor -%}
            {%- set files = new_files -%}
            {%- set relation = "read_parquet(['" ~ (files | join("', '")) ~ "'], "
                ~ "union_by_name = true, hive_partitioning = false)" -%}
        {%- endif -%}
        {%- if files | length == 0 -%}
            {{ log("raw source " ~ table_name ~ ": no (new) files at " ~ location ~ ", using an empty relation", info=False) }}
            select
            {%- for name, type in columns.items() %}
                cast(null as {{ type }}) as {{ name }}{{ "," if not loop.last }}
            {%- endfor %}
            where false
        {%- else -%}
            {%- set present = run_query(
                "select column_name from (describe select * from " ~ relation ~ ")"
            ).columns[0].values() | list -%}
            select
            {%- for name, type in columns.items() %}
                {%- if name in present %}
                cast({{ adapter.quote(name) }} as {{ type }}) as {{ name }}{{ "," if not loop.last }}
                {%- else %}
                cast(null as {{ type }}) as {{ name }}{{ "," if not loop.last }}
                {%- endif %}
            {%- endfor %}
            from {{ relation }}
        {%- endif -%}
    {%- endif -%}
{%- endmacro %}

{#- The file glob of a raw source table, from its `meta.location` in __sources.yml. -#}
{% macro raw_location(table_name) -%}
    {%- for node in graph.sources.values() -%}
        {%- if node.source_name == 'raw' and node.name == table_name -%}
            {{ return(node.meta['location']) }}
        {%- endif -%}
    {%- endfor -%}
    {{ exceptions.raise_compiler_error("no raw source table named " ~ table_name) }}
{%- endmacro %}

{#- The tidy report row schema (docs/interfaces.md, ingest.schema.REPORT_ROW_COLUMNS) as
    {name: duckdb type}; the 14 numeric keys come from var('numeric_keys'). -#}
{% macro report_row_columns() -%}
    {%- set columns = {
        'submission_id': 'varchar',
        'province_code': 'varchar',
        'statistical_year': 'integer',
        'months': 'integer',
        'boundary': 'integer',
        'revision': 'integer',
        'measure': 'varchar',
        'office': 'varchar',
        'is_total': 'boolean',
        'office_order': 'integer',
    } -%}
    {%- for key in var('numeric_keys') -%}
        {%- do columns.update({key: 'double'}) -%}
    {%- endfor -%}
    {%- do columns.update({
        'source_file': 'varchar',
        'sha256': 'varchar',
        'sheet': 'varchar',
        'source_row': 'integer',
        'arrival_time': 'timestamptz',
        'batch_id': 'varchar',
    }) -%}
    {{ return(columns) }}
{%- endmacro %}
