<!DOCTYPE qgis PUBLIC 'http://mrcc.com/qgis.dtd' 'SYSTEM'>
<!-- Hotspot style template: % change in incidents from the comparison
     period (diverging, fixed bounds), with significant changes (field
     change_flag, exact conditional Poisson test) hatched on top. -->
<qgis version="3.22.0" styleCategories="AllStyleCategories" labelsEnabled="0" hasScaleBasedVisibilityFlag="0" minScale="100000000" maxScale="0">
  <renderer-v2 type="RuleRenderer" forceraster="0" symbollevels="0" enableorderby="0">
    <rules key="{hs-change-root}">
<!--rows-->      <rule key="{hs-change-{{i}}}" symbol="{{i}}" filter="{{filter}}" label="{{label}}"/>
<!--/rows-->    </rules>
    <symbols>
<!--rows-->      <symbol type="fill" name="{{i}}" alpha="1" clip_to_extent="1" force_rhr="0">
        <layer class="SimpleFill" enabled="1" locked="0" pass="0">
          <prop k="style" v="{{fill_style}}"/>
          <prop k="color" v="{{color}}"/>
          <prop k="outline_style" v="solid"/>
          <prop k="outline_color" v="{{outline}}"/>
          <prop k="outline_width" v="{{width}}"/>
          <prop k="outline_width_unit" v="MM"/>
        </layer>
      </symbol>
<!--/rows-->    </symbols>
  </renderer-v2>
  <mapTip>&lt;b&gt;[% "area_name" %]&lt;/b&gt;&lt;br&gt;[% "count" %] incidents, [% coalesce("prev_count", 'none') %] in the comparison period: [% coalesce(format_number("change_pct", 1) || '%', 'n/a') %]&lt;br&gt;[% "change_flag" %] (p = [% format_number("change_p", 4) %])</mapTip>
  <layerGeometryType>2</layerGeometryType>
</qgis>
