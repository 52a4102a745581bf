{#- Rows whose rank is not a competition rank of the rates in its partition: a ranked row's
    rank must be 1 + the number of rows with a strictly higher rate (so ties share a rank and
    the next rank skips: 1, 2, 2, 4), rows without a rate must have no rank, and n_ranked must
    count the rows where `has_report` is true (contract section 4: ranked or not). -#}
{% test competition_rank_is_consistent(model, partition_by, rate='rate_pct', rank='rank',
                                       n_ranked='n_ranked', has_report='has_report') %}

with rows_ as (

    select
        {{ partition_by | join(', ') }},
        {{ rate }} as rate_,
        {{ rank }} as rank_,
        {{ n_ranked }} as n_ranked_,
        {{ has_report }} as has_report_
    from {{ model }}

),

expected as (

    select
        mine.*,
        1 + (
            select count(*)
            from rows_ as other
            where
                {%- for column in partition_by %}
                other.{{ column }} = mine.{{ column }} and
                {%- endfor %}
                other.rate_ > mine.rate_
        ) as expected_rank,
        count(case when mine.has_report_ then 1 end) over (partition by {{ partition_by | join(', ') }})
            as expected_n_ranked
    from rows_ as mine

)

select *
from expected
where (rate_ is null) <> (rank_ is null)
    or (rate_ is not null and rank_ <> expected_rank)
    or n_ranked_ is distinct from expected_n_ranked

{% endtest %}
