-- For the execute tests: a check constraint that fails at once and a
-- deferred foreign key that fails at COMMIT.
create table items (
  id   int primary key,
  name text not null,
  qty  int not null check (qty > 0)
);
insert into items values (1, 'one', 1), (2, 'two', 2), (3, 'three', 3);
create table links (
  item int references items deferrable initially deferred
);
